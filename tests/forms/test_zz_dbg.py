import sys
sys.path.insert(0, "/tmp")
def test_dbg():
    import dbg_docs
    bad = dbg_docs.check()
    for b in bad: print(b[0]); print(b[1]); print("----"); print(b[2])
    assert not bad
