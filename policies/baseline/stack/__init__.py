"""Stack-wide controls: policies over every resource of the stack, driven by one table each."""
