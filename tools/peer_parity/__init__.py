"""The peer comparison of issue 14: checkov and awsguard against the pack's security policies.

``python -m tools.peer_parity`` installs the peers into folders of their own if they are
missing (checkov into ``.venv-checkov``, awsguard into ``.peer/awsguard``), then:

1. enumerates checkov's checks from its installed registry and awsguard's policies from its
   running pack, and picks the relevant ones (``peer_rules.json``: the scope and the rule);
2. for every relevant rule mapped to a policy, writes that policy's failing fixture
   (tests/policy/security_fixtures.py) as Terraform and runs checkov over it, runs awsguard over
   it through the analyzer protocol, and runs the pack over it: the mapping holds when both the
   peer rule and the policy fire;
3. measures the pack before issue 14 (the baseline commit, from git) on the same fixtures;
4. runs checkov over the repo's dev and prod previews and says, rule by rule, whether the pack
   flags what checkov flags;
5. prints the before/after table and exits 1 when a mapping does not hold or coverage is under 90%.
"""
