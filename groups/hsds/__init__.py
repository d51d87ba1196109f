"""Open Referral HSDS 3.0 out: the read-only API at /api/hsds/ (see docs/feeds.md)."""
