"""EC2/VPC: `aws:ec2/vpc:Vpc`, `aws:ec2/flowLog:FlowLog`."""
