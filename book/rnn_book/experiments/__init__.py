"""The chapters' experiments, importable so tests and the book call one copy."""
