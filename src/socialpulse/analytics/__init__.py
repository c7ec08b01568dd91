"""Analytics as pure functions over snapshot-like values: no database, no I/O.

- :mod:`.snapshots`: the snapshot protocols, day series and daily values of counters
- :mod:`.engagement`: post and account engagement rates, content per week
- :mod:`.growth`: month / quarter / year growth of followers and engagement rate
- :mod:`.tiers`: influencer tier by followers
- :mod:`.impressions`: totals across platforms with per-platform and per-day breakdowns
- :mod:`.text`: hashtags, mentions, links, sponsorship, contact details
- :mod:`.report`: per-post averages, video split, engagement by day

The definitions are written once in ``docs/metrics.md`` and in each function's docstring.
"""
