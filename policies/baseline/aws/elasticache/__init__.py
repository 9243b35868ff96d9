"""ElastiCache: `aws:elasticache/serverlessCache:ServerlessCache`, `aws:elasticache/user:User`,
`aws:elasticache/userGroup:UserGroup`."""
