"""What a transport is given (:class:`Message`) and what it answers (:class:`Outcome`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    """One message, already worded: the transports only put it in their gateway's shape.

    ``text`` is complete on its own, link included (an SMS, a robot's text message, an email's body);
    ``markdown`` is the same for robots that render it; ``mobiles`` are the people to @ in a group.
    """

    title: str
    text: str
    markdown: str = ""
    mobiles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What became of one try: ``answer`` is what the gateway said, kept for the delivery log.

    ``retry`` means not sent but worth trying again (a timeout, a 5xx, a rate limit); ``wait`` is the
    least number of seconds to wait first when the gateway said how long (a rate limit).
    """

    sent: bool
    answer: str
    retry: bool = False
    wait: float = 0

    @classmethod
    def ok(cls, answer: str) -> Outcome:
        return cls(True, answer[:500])

    @classmethod
    def again(cls, answer: str, wait: float = 0) -> Outcome:
        return cls(False, answer[:500], retry=True, wait=wait)

    @classmethod
    def refused(cls, answer: str) -> Outcome:
        return cls(False, answer[:500])
