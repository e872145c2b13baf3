"""One folder per lesson: ``lNN_<name>/`` with checks, mistakes, solutions and hints."""
