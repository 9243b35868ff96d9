"""Entry point run by `python -m pulumi.policy <engine> <pack dir>`: serves the pack over gRPC."""

from baseline import pack_arguments
from pulumi_policy import PolicyPack

PolicyPack(**pack_arguments())
