"""The book's build plumbing: which chapters exist, whether each pair of files
is in sync, and whether a chapter's stored outputs are up to date with its
code and the helpers it imports. Used by ``make execute`` and by the tests of
the verification chain (tests/test_chain.py); not by the chapters.
"""
