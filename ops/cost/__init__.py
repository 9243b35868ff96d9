"""What the stack costs: an offline monthly estimate from a price table in the repository.

- `prices.json`: every price with the stored public page it was read from, that page's date, its region and unit;
  the resource types that cost nothing of their own, each with why (docs/cost.md).
- `table.py`: loads and checks the table; `staleness(today)` warns when it was read too long ago.
- `estimate.py`: per-type rules turning a resource's inputs and the usage assumptions (`platform:cost`, exported
  by the program as `cost_usage`) into charges; unknown prices are listed, never counted as zero.
- `report.py`: the estimate as text, markdown and JSON (`ops plan`), and a change's delta (`ops diff`).

Standard library only, and no import of the rest of `ops` at load time: the policy pack's budget policy
(policies/baseline/stack/budget.py) prices the stack with the same code and table.
"""

from .estimate import Estimate, Item, build_items, estimate, items_from_document, items_from_records
from .table import PriceTable, load_table

__all__ = [
    "Estimate",
    "Item",
    "PriceTable",
    "build_items",
    "estimate",
    "items_from_document",
    "items_from_records",
    "load_table",
]
