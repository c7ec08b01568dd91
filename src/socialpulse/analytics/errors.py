"""Errors of analytics inputs: each names the parameter to fix.

They are ``ValueError`` subclasses, so pure callers can catch them as such, and
:class:`socialpulse.errors.BadRequest` subclasses, so an endpoint that lets one escape
answers 400 ``application/problem+json`` whose ``errors[0].field`` is the parameter.
"""

from __future__ import annotations

from socialpulse.errors import BadRequest


class AnalyticsInputError(BadRequest, ValueError):
    """A parameter of an analytics question is invalid; ``parameter`` names it."""

    def __init__(self, parameter: str, detail: str) -> None:
        super().__init__(detail, extra={"errors": [{"field": parameter, "message": detail}]})
        self.parameter = parameter


class InvalidDate(AnalyticsInputError):
    """A date parameter is not ``YYYY-MM-DD`` or the range is reversed."""


class UnknownPeriod(AnalyticsInputError):
    """``period`` is not one of the shortcuts."""


class UnknownMetric(AnalyticsInputError):
    """A metric name is not one the question accepts; ``metric`` is the name."""

    def __init__(self, metric: str, allowed: tuple[str, ...], parameter: str = "metrics") -> None:
        super().__init__(parameter, f"unknown metric {metric!r}; use one of: {', '.join(allowed)}")
        self.metric = metric


class UnknownPlatform(AnalyticsInputError):
    """A platform name in a filter is not a supported platform; ``platform`` is the name."""

    def __init__(self, platform: str, allowed: tuple[str, ...], parameter: str = "platform") -> None:
        super().__init__(parameter, f"unknown platform {platform!r}; use one of: {', '.join(allowed)}")
        self.platform = platform


class InvalidTierTable(ValueError):
    """An influencer tier table is empty, has a negative bound, or repeats a bound or a name."""
