import numpy as np
import pytest

from kefu.core.text import embed


def test_query_vector_is_normalised_and_folds_traditional():
    # Given the same question in Traditional and Simplified characters,
    # when both are embedded, then each is a unit 384-vector and they are identical.
    trad = embed.query_vector("我想申請退款")
    simp = embed.query_vector("我想申请退款")
    assert trad.shape == (embed.DIM,)
    assert trad.dtype == np.float32
    assert abs(float(np.linalg.norm(trad)) - 1.0) < 1e-4
    assert np.allclose(trad, simp)


def test_passages_rank_the_related_text_first():
    # Given two passages, one about refunds and one about shipping,
    # when a refund question is embedded, then the refund passage has the higher cosine.
    passages = embed.passage_vectors(["退款会在三个工作日内原路退回", "我们使用顺丰快递发货"])
    assert passages.shape == (2, embed.DIM)
    scores = passages @ embed.query_vector("钱什么时候退给我")
    assert scores[0] > scores[1]
    assert embed.passage_vectors([]).shape == (0, embed.DIM)


def test_pack_round_trips_and_refuses_wrong_length():
    # Given a vector, when packed and unpacked, then it is unchanged; a wrong length is refused.
    vec = embed.query_vector("发票")
    data = embed.pack(vec)
    assert len(data) == embed.DIM * 4
    assert np.array_equal(embed.unpack(data), vec)
    with pytest.raises(ValueError, match="384"):
        embed.unpack(data[:-4])
