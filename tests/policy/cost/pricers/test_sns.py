"""SNS pricer: the handler's alerts as publishes, and their e-mail deliveries."""

from __future__ import annotations

from .pricer_support import priced, resource
from .processing_stack import processing


def test_alerts_are_published_and_each_e_mail_subscription_delivers_every_one():
    """43,800 publishes x $0.50/M = $0.0219; 2 e-mail subscriptions: 87,600 x $2/100,000 = $1.752.
    The Lambda subscription (the relay) is free."""
    topic = resource(priced(*processing(emails=2)), "topic")
    assert [round(i.usd, 4) for i in topic.items] == [0.0219, 1.752]
    assert resource(priced(*processing()), "relay-subscription").status == "free"
