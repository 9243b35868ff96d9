"""A small runner of Amazon States Language definitions in JSONata mode, for the states the stack's state machines
use (Task, Pass, Choice, Map INLINE, Fail, Succeed), with the JSONata evaluated by jsonata-python.

It follows the AWS Step Functions Developer Guide where the checker relies on it:
- "Transforming data with JSONata": a field value `{% expr %}` is evaluated (objects and arrays recursively, a
  whole `Arguments`/`Output` may be one expression); `$states.input`, `$states.result` (Task, Map),
  `$states.context`; an expression that returns nothing (undefined) fails the state with
  `States.QueryEvaluationError`.
- "Passing data between states with variables": `Assign` is evaluated with the variable values of state entry
  and takes effect when the state completes; a Map iteration runs in a scope of its own that reads the outer
  scopes. (Stricter than AWS, on purpose: an iteration may not assign a name an outer scope holds.)
- Default outputs: a Task's and a Map's result, a Pass's and a Choice's input.

Service calls go to `services`: resource ARN -> function of the evaluated arguments. Retries are not run (every
fake answers first time). Not a Step Functions emulator beyond that.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jsonata

Service = Callable[[dict[str, Any]], dict[str, Any]]
_EXPRESSION = re.compile(r"\{%(.*)%\}", re.DOTALL)


class QueryEvaluationError(Exception):
    """States.QueryEvaluationError: an expression returned nothing, or failed."""


class ExecutionFailed(Exception):
    def __init__(self, error: str, cause: str | None) -> None:
        super().__init__(f"{error}: {cause}")
        self.error, self.cause = error, cause


@dataclass
class Scope:
    values: dict[str, Any] = field(default_factory=dict)
    parent: Scope | None = None

    def visible(self) -> dict[str, Any]:
        return {**(self.parent.visible() if self.parent else {}), **self.values}

    def outer_names(self) -> set[str]:
        return set(self.parent.visible()) if self.parent else set()


@dataclass
class Execution:
    output: Any
    calls: list[tuple[str, dict[str, Any]]]


def evaluate(expression: str, bindings: Mapping[str, Any]) -> Any:
    """One JSONata expression; nothing (undefined) is an error, as Step Functions has it."""
    try:
        result = jsonata.Jsonata(expression).evaluate(None, dict(bindings))
        if result is None and not jsonata.Jsonata(f"$exists({expression})").evaluate(None, dict(bindings)):
            raise QueryEvaluationError(f"the JSONata expression '{expression}' returned nothing (undefined)")
    except QueryEvaluationError:
        raise
    except Exception as error:  # jsonata's own errors (a function given the wrong type, ...)
        raise QueryEvaluationError(f"{expression}: {error}") from error
    return result


def template(value: Any, bindings: Mapping[str, Any]) -> Any:
    if isinstance(value, str):
        match = _EXPRESSION.fullmatch(value)
        return evaluate(match.group(1), bindings) if match else value
    if isinstance(value, dict):
        return {key: template(item, bindings) for key, item in value.items()}
    if isinstance(value, list):
        return [template(item, bindings) for item in value]
    return value


def run(definition: Mapping[str, Any], *, services: Mapping[str, Service], context: Mapping[str, Any],
        execution_input: Any = None) -> Execution:
    """Run `definition` to its end; raises ExecutionFailed on a Fail state, QueryEvaluationError on a bad
    expression, KeyError on a call to a service `services` does not answer."""
    assert definition.get("QueryLanguage") == "JSONata", "only JSONata definitions"
    calls: list[tuple[str, dict[str, Any]]] = []
    output = _run(definition, execution_input if execution_input is not None else {}, Scope(),
                  _Run(dict(context), services, calls))
    return Execution(output=output, calls=calls)


@dataclass(frozen=True)
class _Run:
    context: dict[str, Any]
    services: Mapping[str, Service]
    calls: list[tuple[str, dict[str, Any]]]


def _run(machine: Mapping[str, Any], state_input: Any, scope: Scope, execution: _Run) -> Any:
    context, services, calls = execution.context, execution.services, execution.calls
    name = machine["StartAt"]
    while True:
        state = machine["States"][name]
        kind = state["Type"]
        states: dict[str, Any] = {"input": state_input, "context": {**context, "State": {"Name": name}}}
        bindings = {**scope.visible(), "states": states}
        next_name = state.get("Next")
        if kind == "Fail":
            raise ExecutionFailed(state["Error"], state.get("Cause"))
        if kind == "Succeed":
            return template(state["Output"], bindings) if "Output" in state else state_input
        if kind == "Choice":
            next_name = next((rule["Next"] for rule in state["Choices"]
                              if template(rule["Condition"], bindings) is True), state.get("Default"))
            if next_name is None:
                raise ExecutionFailed("States.NoChoiceMatched", name)
            default = state_input
        elif kind == "Pass":
            default = state_input
        elif kind == "Task":
            arguments = template(state.get("Arguments", {}), bindings)
            assert isinstance(arguments, dict), f"{name}: Arguments must evaluate to an object"
            calls.append((state["Resource"], arguments))
            states["result"] = default = services[state["Resource"]](arguments)
        elif kind == "Map":
            processor = state["ItemProcessor"]
            assert processor.get("ProcessorConfig", {}).get("Mode", "INLINE") == "INLINE"
            items = template(state["Items"], bindings)
            results = []
            for index, item in enumerate(items):
                item_context = {**context, "Map": {"Item": {"Index": index, "Value": item}}}
                results.append(_run(processor, item, Scope(parent=scope), _Run(item_context, services, calls)))
            states["result"] = default = results
        else:
            raise NotImplementedError(f"{name}: state type {kind}")
        if "Assign" in state:
            assigned = template(state["Assign"], bindings)
            shadowed = set(assigned) & scope.outer_names()
            assert not shadowed, f"{name} assigns outer-scope variables {sorted(shadowed)}"
            scope.values.update(assigned)
        output = template(state["Output"], bindings) if "Output" in state else default
        if state.get("End"):
            return output
        assert next_name, f"{name} has neither Next nor End"
        name, state_input = next_name, output
