"""Component resources of the platform stack, one module per concern.

Modules are imported directly (`from components.postgres import PostgresDatabase`) so that a program
or test pays only for the provider SDKs it uses (pulumi_cloudflare alone costs about 2 s to import).
"""
