"""Rendering: Shoji documents in and out, representations of resources, URLs."""
