"""AWS policies, one package per service and one module per resource type (as pulumi/compliance-policies)."""
