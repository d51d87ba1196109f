"""Partner feeds in: fetch, parse as a stream, validate, map, stage, apply, archive.

Entry point: `groups.feeds.pipeline.feed_import(...)`. See docs/feeds.md.
"""
