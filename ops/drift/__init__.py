"""`ops drift`: what changed in the cloud behind the state's back, from a refresh preview.

- `model.py`: the SDK-free result (stacks, drifted resources, property changes with masked values);
- `events.py`: engine events (`pulumi.automation.events`) turned into that result, secrets masked;
- `runner.py`: the Automation API: one LocalWorkspace per stack, `Stack.preview_refresh`, the lock retries,
  and every failure turned into a message that says what to do.

Only `runner.py` imports the Pulumi SDK, and only when a check runs.
"""
