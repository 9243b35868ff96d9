"""RDS: `aws:rds/instance:Instance`, `aws:rds/parameterGroup:ParameterGroup`, `aws:rds/proxy:Proxy`."""
