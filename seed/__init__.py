"""Seed data: roles, reference data and the demo tree."""
