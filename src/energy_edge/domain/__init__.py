"""The pure core: asset state machines, balancing, services and the ports they need.

Standard library only and no I/O, so every rule here is testable on fakes and
runs unchanged on any transport or hardware (enforced by import-linter).
"""
