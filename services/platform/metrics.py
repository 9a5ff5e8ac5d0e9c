"""Prometheus metrics: request and callback latencies, and the alert stream's health read from Redis at scrape time.

The stream figures (lag of the persist group, its pending entries, dead letters) are read from Redis when scraped,
so every worker reports the same truth. Latency histograms live in each worker; with several uvicorn workers set
`PROMETHEUS_MULTIPROC_DIR` to an empty directory and prometheus_client merges them (its multiprocess mode).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import redis
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from services.config import Settings

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class StreamCollector(Collector):
    """Stream length, the persist group's lag and pending count, and the dead letters, straight from Redis."""

    def __init__(self, client: redis.Redis, settings: Settings):
        self.client = client
        self.settings = settings

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("onescreen_redis_up", "1 when Redis answered this scrape")
        try:
            length = self.client.xlen(self.settings.alerts_stream)
            dead = self.client.xlen(self.settings.dead_letter_stream)
            groups = self.client.xinfo_groups(self.settings.alerts_stream) if length else []
        except redis.ResponseError:  # no stream yet: nothing written, nothing behind
            length, dead, groups = 0, 0, []
        except (redis.RedisError, OSError):
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield GaugeMetricFamily("onescreen_stream_length", "entries in the alert stream", value=length)
        yield GaugeMetricFamily("onescreen_dead_letters", "entries in the dead-letter stream", value=dead)
        lag = GaugeMetricFamily("onescreen_stream_lag", "entries not yet read by the group", labels=["group"])
        pending = GaugeMetricFamily("onescreen_stream_pending", "entries read but not acknowledged", labels=["group"])
        for group in groups:
            lag.add_metric([group["name"]], float(group.get("lag") or 0))
            pending.add_metric([group["name"]], float(group.get("pending") or 0))
        yield lag
        yield pending


class Metrics:
    """One app's metrics; `exposition()` is the /metrics body."""

    def __init__(self, client: redis.Redis, settings: Settings):
        self.registry = CollectorRegistry()
        self.requests = Histogram(
            "onescreen_request_seconds", "HTTP request latency", ["route", "method", "status"],
            buckets=LATENCY_BUCKETS, registry=self.registry,
        )
        self.callbacks = Histogram(
            "onescreen_callback_seconds", "Dash callback latency over HTTP, by the callback's outputs", ["output"],
            buckets=LATENCY_BUCKETS, registry=self.registry,
        )
        self.stream = StreamCollector(client, settings)

    def exposition(self) -> bytes:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            merged = CollectorRegistry()
            MultiProcessCollector(merged)
            merged.register(self.stream)
            return generate_latest(merged)
        registry = CollectorRegistry()
        registry.register(_Both(self.registry, self.stream))
        return generate_latest(registry)


class _Both(Collector):
    def __init__(self, registry: CollectorRegistry, stream: StreamCollector):
        self.registry, self.stream = registry, stream

    def collect(self) -> Iterator[Metric]:
        yield from self.registry.collect()
        yield from self.stream.collect()
