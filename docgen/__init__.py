"""Generated documentation: the marker blocks of docs/*.md and the stack files' JSON Schemas.

    python -m docgen --write    # fill every block, write schemas/*.schema.json
    python -m docgen --check    # exit 1 listing stale blocks (CI, tests/docs)

One module per block kind: `config_reference` (config <concern>), `policy_pages` (policies <page>),
`policy_pack` (policy-table all, checkov-parity all), `placeholders` (placeholders all); `schema` writes the
JSON Schemas; `markers` finds and rewrites the blocks. Provider SDKs are never imported: the models
(components/*/config.py) and the policy pack (pulumi_policy) are enough.
"""
