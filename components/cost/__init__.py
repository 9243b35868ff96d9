"""The cost concern: `config` (usage assumptions of the estimate and the monthly budget; no provider import) and
`component` (the AWS Budgets budget). The estimate itself is ops/cost (standard library only)."""
