"""Entry point run by `python -m pulumi.policy <engine> <pack dir>`: serves the pack over gRPC."""

import gc

from baseline import pack_arguments
from pulumi_policy import PolicyPack

# Everything imported so far (the SDK, grpc, protobuf, the policies) lives as long as the process: frozen, the
# collector no longer walks it on every full collection while the pack answers (pulumi preview, ops plan).
gc.freeze()

PolicyPack(**pack_arguments())
