"""DynamoDB: write units from the handler's actual items, storage and PITR from what TTL keeps,
the alert markers' writes; provisioned capacity when the table is provisioned."""

from __future__ import annotations

from ...graph import Node
from .. import formulas as f
from .. import telemetry as tm
from ..model import Priced, Unpriced
from ..registry import Context, free, number, pricer
from ..traffic import DAYS_PER_MONTH
from ..usage import UsageKey

free("priced on its table", "aws:dynamodb/tableItem:TableItem", "aws:dynamodb/contributorInsights:ContributorInsights",
     "aws:dynamodb/resourcePolicy:ResourcePolicy", "aws:dynamodb/tag:Tag")


@pricer("aws:dynamodb/table:Table", usage=[
    UsageKey("monthly_write_request_units", "Write request units a month (default: the handler's writes)."),
    UsageKey("monthly_read_request_units", "Read request units a month (default: 0, nothing in the stack reads)."),
    UsageKey("storage_gb", "Data stored, GB (default: what the TTL keeps of the handler's items)."),
])
def table(node: Node, ctx: Context) -> Priced:
    mode = node.props.get("billingMode") or "PROVISIONED"  # the provider's default
    pitr = bool((node.props.get("pointInTimeRecovery") or {}).get("enabled"))
    load = ctx.flows.tables.get(node.urn)
    reading = tm.reading_item_bytes()
    sent = tm.ddb_item_bytes(tm.ALERT_SENT_ITEM)
    wru, storage_gb, note = 0.0, 0.0, ""
    if load is not None:
        per_reading = f.chunks(reading, f.DDB_WRITE_UNIT_BYTES)
        alert_wru = sum(f.chunks(tm.ddb_item_bytes(i), f.DDB_WRITE_UNIT_BYTES) for i in tm.ALERT_WRITES)
        wru = load.readings * per_reading + load.alerts * alert_wru
        kept_days = load.ttl_days
        storage_gb = (load.readings / DAYS_PER_MONTH * kept_days * (reading + tm.DDB_ITEM_OVERHEAD_BYTES)
                      + load.alerts / DAYS_PER_MONTH * kept_days * (sent + tm.DDB_ITEM_OVERHEAD_BYTES)) / 1e9
        note = (f"{kept_days:g} days kept (TTL_DAYS) of readings ({reading} B + {tm.DDB_ITEM_OVERHEAD_BYTES} B "
                f"overhead each) and alert markers ({sent} B + {tm.DDB_ITEM_OVERHEAD_BYTES} B)")
    wru = ctx.use("monthly_write_request_units", wru)
    reads = ctx.use("monthly_read_request_units", 0.0)
    storage_gb = ctx.use("storage_gb", storage_gb)
    drivers = {"billing_mode": mode, "pitr": pitr, "write_units": round(wru), "storage_gb": round(storage_gb, 3)}
    if mode == "PAY_PER_REQUEST":
        items = f.dynamodb_costs(ctx.prices, extra_wru=wru, reads=reads, storage_gb=storage_gb, pitr=pitr)
        if load is not None:
            items[0].note = (f"{load.readings:,.0f} readings of {reading} B (1 WRU each) + {load.alerts:,.0f} alerts "
                             "x 2 marker writes (claim, sent)")
            items[0].item = "writes (readings and alert markers)"
    elif mode == "PROVISIONED":
        wcu, rcu = number(node, "writeCapacity"), number(node, "readCapacity")
        if wcu is None or rcu is None:
            raise Unpriced("a PROVISIONED table needs readCapacity and writeCapacity (neither is set)")
        items = f.dynamodb_costs(ctx.prices, wcu=wcu, rcu=rcu, storage_gb=storage_gb, pitr=pitr)
        drivers.update(wcu=wcu, rcu=rcu)
    else:
        raise Unpriced(f"billingMode={mode!r}: allowed values are PAY_PER_REQUEST, PROVISIONED")
    storage = next(i for i in items if i.price_key == "dynamodb.storage.gb_month")
    storage.note = note or ("storage_gb from the usage file" if ctx.has_usage("storage_gb") else "")
    if load is None and not ctx.given and mode == "PAY_PER_REQUEST":
        return Priced(items, drivers, usage_based=True,
                      note="no traffic reaches this table in the model: set its usage in the usage file")
    return Priced(items, drivers)
