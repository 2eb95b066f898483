from kefu.core.text import fold, index_tokens, segment


def test_traditional_and_simplified_fold_and_segment_to_the_same_tokens():
    # Given the same phrase in Traditional and Simplified characters,
    # when both are folded and segmented, then the tokens are identical.
    assert fold("顧客退貨") == "顾客退货"
    assert segment("顧客退貨") == segment("顾客退货") == ["顾客", "退货"]


def test_service_words_stay_whole():
    # Given service words from the domain dictionary, then each is one token.
    for word in ("退款", "退货", "换货", "运费", "快递", "发票", "七天无理由", "快递单号"):
        assert segment(f"我要{word}")[-1] == word, word
    assert "退款" in segment("我想申請退款，謝謝")


def test_fold_normalises_width_and_case():
    # Given full-width letters and digits, when folded, then they are half-width lower case.
    assert fold("ＳＦＰ＋　１０Ｇ") == "sfp+ 10g"


def test_index_tokens_drop_punctuation():
    # Given a sentence with punctuation, then the index holds words only, space-joined.
    assert index_tokens("你好，我想问一下退货！") == "你好 我 想 问 一下 退货"
