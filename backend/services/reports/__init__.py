"""Supervisor and area-manager reports, aggregated in SQL over the caller's scope.

kpis (completion, success, time, travel, coverage, frequency, sequence, trend), exceptions
(integrity flags), photos (review status), competitor prices, display compliance, near-expiry
exposure; exports turns any of them into CSV or XLSX.
"""
