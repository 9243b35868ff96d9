"""What the tests share: the repository's stack files with overrides, the plan runner, the wire constants.

One import style everywhere: `from tests.support.<module> import <name>`.
"""
