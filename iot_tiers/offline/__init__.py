"""Pulumi without a cloud: what ``tiers preview`` and ``tiers cost`` are made of.

- :mod:`.harness` runs a program under Pulumi's mock runtime and records every
  registration (:func:`~.harness.run_stack`, :class:`~.harness.Capture`);
- :mod:`.mocks` answers for AWS resources and invokes;
- :mod:`.project` reads Pulumi.yaml and the stack files as the CLI does;
- :mod:`.analyzer` starts a policy pack as the CLI does and speaks its gRPC protocol;
- :mod:`.preflight` puts them together (``tiers preview``);
- :mod:`.costing` prices a capture, :mod:`.cost_report` renders estimates and diffs (table,
  markdown), :mod:`.cost_compare` finds what ``--compare-to`` names, :mod:`.usage_file` reads
  and syncs the usage file, :mod:`.seed_table` recomputes the seed's cost table.
"""
