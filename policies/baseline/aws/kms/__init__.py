"""KMS: `aws:kms/key:Key`."""
