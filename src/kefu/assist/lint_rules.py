"""The behaviour patterns of the reply lint (R18), and the context that excuses a match.

Each :class:`Rule` names one forbidden behaviour of the seeds (003 §9, 000, 004): refusing directly,
shirking responsibility, a commanding tone, arguing, casual promises, blaming the customer, indifference
(「不知道」「我很忙」), and plain rude words.  Patterns run on the folded draft (Simplified, NFKC, lower
case, same length as the original), clause by clause.  A cue alone is not a verdict: a refusal that
apologises and offers another way, 「不知道您方便…吗」, 「我一定帮您跟进」 or 「不是您操作不当」
are polite, and each rule's ``excuse`` says so.

Where the line between a casual promise and a legitimate one is drawn (docs/assist.md repeats it):

* casual — certainty words (保证, 肯定, 一定, 绝对, 百分百, 打包票, 包您…) attached to an outcome the
  agent does not control or has not checked: when a parcel or a technician arrives, that a product never
  breaks or fades, that a refund or compensation will be granted, that a fault will never happen again,
  「肯定没问题」;
* legitimate — a standing policy of the shop with a bound it keeps itself (「我们保证会在24小时内回复您」,
  「收到退货后48小时内完成退款审核」, 「七天无理由退换」), a commitment of the agent's own effort
  (「我一定帮您跟进到底」「今天下班前一定给您答复」), empathy (「您肯定很着急」), advice (「一定要注意
  防水」), or a forecast that says it is one (「预计明天送达，具体以快递为准」).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from kefu.assist.choices import LintRule, Severity

# --- context ------------------------------------------------------------------------------------

_CLAUSE_END = re.compile(r"[,，。.!！?？;；\n~～…:：]+|\s{2,}")
_SENTENCE_END = re.compile(r"[。.!！?？;；\n~～…]+")


@dataclass
class Draft:
    """A folded draft and its clauses; matches are judged against their clause and the whole draft."""

    folded: str
    clauses: list[tuple[int, int]]

    @classmethod
    def of(cls, folded: str) -> Draft:
        clauses: list[tuple[int, int]] = []
        start = 0
        for m in _CLAUSE_END.finditer(folded):
            if m.start() > start:
                clauses.append((start, m.start()))
            start = m.end()
        if start < len(folded):
            clauses.append((start, len(folded)))
        return cls(folded, clauses or [(0, len(folded))])

    def clause(self, pos: int) -> tuple[int, int]:
        for start, end in self.clauses:
            if start <= pos < end:
                return start, end
        return pos, pos

    def sentence(self, pos: int) -> str:
        starts = [0, *(m.end() for m in _SENTENCE_END.finditer(self.folded, 0, pos))]
        end = _SENTENCE_END.search(self.folded, pos)
        return self.folded[starts[-1] : end.start() if end else len(self.folded)]

    def before(self, m: re.Match[str]) -> str:
        """The clause up to the match."""
        return self.folded[self.clause(m.start())[0] : m.start()]

    def after(self, m: re.Match[str]) -> str:
        """The clause after the match."""
        return self.folded[m.end() : max(self.clause(m.start())[1], m.end())]

    def elsewhere(self, m: re.Match[str]) -> str:
        """The draft without the clause(s) of the match, clauses joined by a separator."""
        first = self.clause(m.start())[0]
        last = self.clause(max(m.end() - 1, m.start()))[1]
        return self.folded[:first] + "|" + self.folded[last:]


Excuse = Callable[[Draft, re.Match[str]], bool]


@dataclass(frozen=True)
class Rule:
    rule: LintRule
    severity: Severity
    regex: re.Pattern[str]
    excuse: Excuse | None = None


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# Someone else is meant, or the agent takes the problem on / offers another way.
_OFFER = _re(
    r"不过|但是|但|(?<!不)可以|帮您|为您|给您|送您|赠您|补您|我来|我这边|我们这边|我们会|我会|我已经|我已|我先|我们先|建议|您看(可以|行|好|这样|怎么样|合适|要不)|推荐|"
    r"或者|换成|改成|申请|联系|如有|如果|请您理解|还请|谅解|理解一下|我马上|马上为|尽快|安排|负责"
)
_APOLOGY = _re(r"抱歉|不好意思|对不起|很遗憾|遗憾的是|实在|见谅|请您理解|还请您理解|谅解")
_FOLLOW_UP = _re(
    r"我(马上|这就|去|帮|来|先|再|立刻|立即|会|已经)|帮您|为您|问一下|问问|核实|查一下|查询|确认|请示|稍后|回复您|答复您|"
    r"给您(回复|答复)|联系"
)
_HEDGE = _re(r"一般|预计|正常情况|大概|大约|通常|以\S{0,12}为准|可能|应该|尽量|争取|左右")


def _offer_elsewhere(d: Draft, m: re.Match[str]) -> bool:
    return bool(_OFFER.search(d.elsewhere(m)))


def _follow_up_elsewhere(d: Draft, m: re.Match[str]) -> bool:
    return bool(_FOLLOW_UP.search(d.elsewhere(m)))


# --- refusing directly -------------------------------------------------------------------------

_SERVICE_VERB = (
    r"(退款|退货|退|换货|换|改|修|补发|补|取消|开|办|帮|满足|处理|保修|送|发|做|加急|加|赔|拦截|优惠|便宜|少|安排|上门|报销|寄|延|"
    r"签|叠加|给|买|订|约|预约|受理|弄|搞)"
)

REFUSE_STRONG = _re(
    r"不行就是不行|没得商量|没商量|别想了|不用想了|谁来都一样|拒绝(退|换|赔|处理|您|你|了)?|"
    r"不可能(给|帮|退|换|赔|补)|是不可能的|不予(处理|退|受理|办理|赔)?"
)
REFUSE_SOFT = _re(
    r"(?<![能行还也都要说])不行(?!的话|吗|不行)|(?<!可)不可以(?!吗)|办不到|做不到|没(有)?办法|(?<![想设])没法(?!子)|"
    rf"(?<!能)不能(再)?{_SERVICE_VERB}|{_SERVICE_VERB}不了|不(给|会给)(你|您)?(开|退|换|修|补|赔|送|处理|便宜|优惠|报销|拦截|改|办)|"
    r"不(退|换|修|送|补|赔|卖|开|处理|做|办|接)(的|哦|呢|啦|了|哈){0,2}(?=[,，。.!！?？;；\s]|$)|不(退|换)不(退|换)|不接受|不受理|不办理|不允许|不提供|"
    r"(?<!还)不支持(?!您|\w{0,3}[0-9a-z])|"
    r"无法(退|换|修|改|补|处理|办理|取消|送|配送|加急)"
)


def _refusal_excused(d: Draft, m: re.Match[str]) -> bool:
    return _offer_elsewhere(d, m) or bool(_APOLOGY.search(d.before(m)) and _OFFER.search(d.after(m)))


# --- shirking responsibility --------------------------------------------------------------------

_THIRD = (
    r"(快递公司|快递员|快递|物流公司|物流|厂家|厂商|工厂|品牌方|品牌|骑手|配送员|银行|平台|驿站|网点|仓库|系统|财务|"
    r"支付宝|微信|售后中心|售后网点|售后|安装师傅|师傅|商家|别的客服|其他客服|别人|其他人|别的部门|其他部门|上一个客服|之前的客服|售后点|维修点|上家|供应商|美团|饿了么|外卖平台|代发)"
)
SHIRK = _re(
    r"不(归|是)(我|我们|咱们|本店)?(管|负责的?)|不归(我|我们|咱们|本店)?\w{1,3}管|(跟|和|与)(我|我们|本店|店里|我们店|我们公司|咱们|店)(\w{0,2})?(没|无|没有)(啥|什么|任何)?(关系|关)|"
    r"(与|和|跟)?本店无关|(跟|和|与)(我们)?无关|不关(我|我们|店里|本店|咱们)\w{0,2}?的?事|关我(什么|啥|屁)事|"
    r"(又)?不是(我|我们|本店|店里)(的|发错的|负责的|弄的)(事|责任|问题|错)?|责任不在(我|我们|本店)|"
    r"(?<!会)(?<!们)不负责|我只是(客服|卖货的|个客服)|只是卖货的|(我们|店里|本店)?只负责(卖|出餐|发货|销售|售前|卖货)|"
    rf"管不了|管不着|管不到|做不了主|你(要|得|应该|该|去)(去)?(找|问|联系)(?!我)|(你|您)(要|得|应该|该|需要)?去(找|问|联系)(?!我)|(你|您)去(当地|附近|最近)?的?{_THIRD}\w{{0,4}}(看看|问问|问一下|问)(吧)?(?=[,，。.!！?？;；\s]|$)|自己(去)?(联系|找|问|打给|对接)(?!我)|"
    r"(?<![我帮])(你|您)?(去)?(找|问|联系)(?!我)\w{1,8}?(吧|去)(?=[,，。.!！?？;；\s]|$)|我们只是(代发|代卖|卖货的|平台|中间商)|"
    rf"(你|您)投诉\w{{1,6}}(就行|就好|吧|去)|(你|您)(要|得|需要|应该)(去)?(问|找|联系){_THIRD}|"
    rf"直接(联系|找|问|打给?|拨打)(一下)?{_THIRD}|不在(我们的?)?(服务)?范围|"
    r"(你|您)?自己(想办法|看着办|解决)|(你|您)?看着办|谁(卖|处理|发|送|弄)\w{0,4}(你)?找谁|"
    rf"是{_THIRD}\w{{0,3}}的(问题|事|责任|锅)|(那|这|这个)是{_THIRD}\w{{0,3}}的(问题|事)|{_THIRD}的(问题|事|责任)|"
    rf"(?<![我们帮为替来边])(去|直接)?(找|问|联系|打)(一下)?{_THIRD}\w{{0,6}}?(去|吧|索赔|问问?)|"
    rf"(?<![我们帮为替来边])(找|问){_THIRD}(?=[,，。.!！?？;；\s]|$)|打{_THIRD}\w{{0,4}}电话"
)


def _shirk_excused(d: Draft, m: re.Match[str]) -> bool:
    text = m.group(0)
    before = d.before(m)
    if re.search(r"不用|不需要|无需|不必|可以|方便", before) and not re.search(r"去$", before):
        return True
    if re.match(r"(找|问|联系|打|去|直接)", text) and re.search(r"我|帮|为|替", before):
        return True
    if re.match(r"(你|您)?(去|直接)?(找|问|联系|打)", text) and re.search(r"我(帮|来|先|已经)|帮您", d.elsewhere(m)):
        return True  # 「我帮您查了流水号，您可以拿着去问银行」: the agent did its part
    if re.search(r"的(问题|事|责任|锅)$", text) or re.match(r"(管不|做不了主|不在)", text):
        # 「这是厂家的问题，我帮您联系厂家」 takes it on; 「做不了主，我帮您转给主管」 too.
        take_on = r"我(帮|来|这边|会|马上|先|已经)|我们(会|已经|已|正在|在|马上|来|先|帮)|帮您|为您|不过"
        return bool(re.search(take_on, d.elsewhere(m)) or re.search(take_on, d.after(m)))
    return False


# --- commanding tone ----------------------------------------------------------------------------

COMMAND = _re(
    r"(?<![我们])(你|您)(必须|务必得|得(?![到知了出出])|给我|要先)|(?<![可以也])你自己(?=(看|去|查|翻|量|对照|下载|下楼|拿|取|点|弄|处理|等|找|问))|"
    r"您自己(看|查|去)(?!到)|你(去|先)(?!别)|(你|您)现在(就|马上|立刻)|现在立刻|(说|讲)重点|别到时候|(?<![我您你们])自己(对照|看|查|量|翻)(一下)?(?=[,，。.!！?？;；\s]|$)|"
    r"(^|(?<=[,，。.!！?？;；\s]))\w{0,8}(发来|发过来|拿来|寄过来|发给我)(?=[,，。.!！?？;；\s]|$)|"
    r"(^|(?<=[,，。.!！?？;；\s]))(赶紧|赶快|快点|快去|马上|立刻|立即)(?!(为|帮|给|替)您|处理|安排)|"
    r"(^|(?<=[,，。.!！?？;；\s]))(先)?把\w{1,8}(发|给|填|寄|拍|说|写)\w{0,4}(来|过来|给我|一遍|一下|上|清楚|我)|"
    r"(^|(?<=[,，。.!！?？;；\s]))给我(发|说|等|把|拍|寄|填)|给我(等着|说清楚)|"
    r"(别|不要|少)(再|一直|老是|总是|老)?(催|问|说话|吵|发|废话|打扰|烦|说)(了|啦)?|(?<!我)听我说|照我说的|按我说的|按流程(走|来)|"
    r"(?<![会再将])等着(吧)?(?=[,，。.!！?？;；\s]|$)|急也没用|"
    r"(^|(?<=[,，。.!！?？;；\s]))先\w{1,10}再说|\w{1,6}了再说|再来(找我|问|买|说)|听好了?|给我听着|"
    r"(^|(?<=[,，。.!！?？;；\s]))快(点|些)?(?=[,，。.!！?？;；\s]|$)|"
    r"(^|(?<=[,，。.!！?？;；\s]))\w{1,8}(给|发|报)一下(?=[,，。.!！?？;；\s]|$)"
)


def _command_excused(d: Draft, m: re.Match[str]) -> bool:
    before = d.before(m)
    clause = d.folded[slice(*d.clause(m.start()))]
    if re.search(r"(?<![申邀])请|麻烦|劳驾|辛苦|可以吗|好吗|谢谢", clause):
        return True
    text = m.group(0)
    if re.search(r"(发来|发过来|拿来|寄过来|发给我|一下)$", text) and re.search(r"我|给您|为您|帮您", text[:-3]):
        return True
    if text.startswith("您") and (
        re.search(r"(可以|也可|方便|如果|需要的话)", clause) or re.search(r"需要|要$", before) or _offer_elsewhere(d, m)
    ):
        return True
    return bool(
        re.match(r"(马上|立刻|立即)", text)
        and (re.search(r"我\S{0,3}$", before) or re.search(r"(为|帮|给|替|回复|通知|联系|答复|告诉)您", d.after(m)))
    )


# --- arguing ------------------------------------------------------------------------------------

ARGUE = _re(
    r"(你|您)说(的|得)(不对|不正确|不是这样|根本|没道理|有问题)|(说|讲)(的|得)(就|也|可)?(不对|没道理)了?|话不能这么说|"
    r"(?<![这])不是这样的|(我们|我)怎么(会|可能)|不可能是|不讲道理|最后一遍|没(有)?义务|谁家|为了(你|您)一个人|胡说|胡扯|瞎扯|嫌\w{1,3}(就)?别|冤枉|(说|讲)(几|多少)(次|遍)|都(跟|和|给)(你|您)(说|讲)(了|过)|哪有(你|您)说的|没(你|您)说的那么|(你|您)\w{0,4}不能说|(你|您)要(这样|这么)(说|想|做)?(的话)?\w{0,2}(我)?也没(办法|辙)?|"
    r"(已经|刚才|之前|前面|早就)(都)?(跟|和|给|对)?(你|您)?(都)?((说|讲|解释|告诉)(过|了)|(回答|回复)过)(你|您)?(了)?(哦|呀|啊|的|嘛|呢)?(?=[,，。.!！?？;；\s]|$)|"
    r"(别人|别的(客人|顾客|客户|买家|人)|其他(客人|顾客|客户|买家|人))\w{0,6}(都|没)|(你)?还(是)?(不明白|不懂|不理解|听不懂|不信)|解释(了)?半天|"
    r"(说|讲)(了|什么)?(也|都)没用|乱讲|乱说|瞎说|为难(人|我)|(跟|和)我(争|吵)|争也没用|"
    r"(写|说|讲)得(明明白白|清清楚楚|很清楚了)|(这|这个|这也)?都要我|还要我教|"
    r"(你|您)(理解错|误会|搞错|弄错|想多)了?|我(已经|都)?(说|讲|写|解释)得(很|非常|够)?清楚(了)?|我都(说|讲|告诉你)(过|了)|(已经|刚才|之前)(都)?(说|讲|回答|解释|告诉你)过了|"
    r"(说|讲)(了|过)(多少|好几|几|很多|[一二三四五六七八九十两\d]+)(遍|次)|不是(和|跟|给)?(你|您)?(说|讲)过|"
    r"怎么还(问|不知道|不明白|不懂|不信)|问(几|多少|好几)遍|听不懂|听不明白|看不懂吗|说不清楚|说不通|讲不通|"
    r"讲道理(你)?不听|(你|您)?到底(看没看|看了没|有没有看|想怎样|要怎样|想怎么样|要怎么样|想干嘛|要干嘛|想要什么)|"
    r"凭什么|无理取闹|胡搅蛮缠|鸡蛋里挑骨头|(?<!很)不讲理|(?<!很有)没道理|强词夺理|找茬|故意找事|"
    r"说了(你)?也不懂|你(根本)?不懂|你懂什么|(这(么|种)\w{0,4}问题)?(还|也)(要|用)问|"
    r"有什么好(投诉|问|说|吵|生气|闹)的|(你)?要投诉就(去)?投诉|投诉(也)?没用|随便(你)?投诉|"
    r"别(跟|和)我吵|吵也没用|别(冤枉|乱说)|(你)?有证据吗|没(有)?证据|就你(有|说|事|一个)|别人都没(问题|说)|"
    r"怎么可能|根本不可能|(^|(?<=[,，。.!！?？;；\s]))不可能(?=[,，。.!！?？;；\s]|$)|"
    r"(你|您)?(要)?(这么|这样)说(就|的话)?(不对|没道理|我也没办法)?|你说了算|(我们)?(又)?没(骗|坑)(你|您)|(我们)?没有?错|"
    r"又来了|(你)?怎么(这么|那么)(不讲理|多事|麻烦|烦)|(你)?(自己)?想想是不是"
)


def _argue_excused(d: Draft, m: re.Match[str]) -> bool:
    text = m.group(0)
    before = d.before(m)
    if re.search(r"可能|也许|或许", before) and re.search(r"(误会|理解错|搞错)", text):
        return True
    if re.fullmatch(r"(你|您)?(要)?(这么|这样)说(就|的话)?", text):
        return True  # 「您这么说我就明白了」; only the loaded forms count
    if re.fullmatch(r"(我们)?没有?错", text):
        return not re.search(r"我们", text) or bool(re.search(r"确实|是我们", d.folded))
    return bool(re.fullmatch(r"怎么可能", text) and re.search(r"我(马上|帮|来)|帮您", d.folded))


# --- casual promises ----------------------------------------------------------------------------

PROMISE = _re(
    r"(?<![不为])(保证|保證|保准|担保|打包票|打保票|肯定|一定|绝对|百分之?百|100%|包(你|您))(?!金|期|书|程度|的|要|是(你|您))"
    r"(?!(纯)?(羊毛|棉|纯棉|真丝|桑蚕丝|涤纶|聚酯|羊绒|亚麻|牛皮|真皮|纯铜|原木|不锈钢))|"
    r"(都|也)?不会(坏|掉色|褪色|起球|缩水|变形|出问题|丢|漏)|从来没(丢|坏|出)过|(用|穿|洗|摔)不坏|准(保|能)?(到|送到|没问题)|分分钟|必(到|达|能到|定送到)|(坏了|不合适|出问题)(算)?我(的|负责)|算我的|"
    r"(我)?赔(你|您)\w{0,2}(倍|十|双)"
)
_EFFORT = _re(
    r"^\S{0,6}?给(您|你)(处理(?!好)|答复|回复|跟进|核实|查)|^是(我们|我)|^不会(泄露|透露|推卸|隐瞒|乱收|多收|骗)|"
    r"^(会)?(一直|持续|全力|尽快|马上)?(尽|努力|帮|为|跟进|负责|认真|重视|及时|第一时间|核实|查|联系|回复|答复|处理(?!好)|给(您|你)(一个|答复|回复|说法|交代)|"
    r"会(帮|为|给您答复|给您回复|尽|跟进|负责|认真|重视|吸取|改进|注意|处理您|及时|第一时间|回复|答复|联系))"
)
_EMPATHY = _re(r"^(很|会|也|非常|特别)?(等)?(急|着急|生气|失望|不好受|难受|不舒服|不开心|担心|心急|不满|委屈|理解)")
_NOT_OURS = _re(r"到账|到货|送到|送达|到达|(能|可以|就能|会|您|你)收到|不会再|没(有)?问题|满意|最低|最便宜")


def _promise_excused(d: Draft, m: re.Match[str]) -> bool:
    text = m.group(0)
    if not re.match(r"保证|保證|打包票|打保票|肯定|一定|绝对|百分|100%|包", text):
        # 「不会坏」 without a certainty word: only a flat assurance, not 「一般不会」「正常使用的话」.
        return bool(re.search(r"一般|正常|如果|只要|通常|很少|基本", d.before(m)) or _HEDGE.search(d.before(m)))
    after = d.after(m)
    if not after.strip() and not d.before(m).strip():
        return False
    if _EFFORT.search(after) or _EMPATHY.search(after):
        return True
    # A standing policy of the shop about its own practice (「我们保证会在24小时内回复您」), not an
    # arrival, a refund reaching the bank, or a fault never happening again.
    shop_says = re.match(r"保证", text) and re.search(r"(我们|本店|本公司|我司|所有)\S{0,2}$", d.before(m))
    if shop_says and not _NOT_OURS.search(after):
        return True
    return bool(_HEDGE.search(d.sentence(m.start())))


# --- blaming the customer -----------------------------------------------------------------------

BLAME = _re(
    r"(你|您)自己(没|不|没有|忘|选|填|写|留|点|摔|弄|搞|拆|洗|用|操作|下单|电话|不在|拍|买|订|记|看错|听错|把)|是(你|您)\w{0,6}?没(选|看|填|写|注意|按|确认)|要是\w{1,10}就不会|不能怪(我们|我)|怪不得(我们|别人|我)|(?<!您)自己(没|不|没有)(看|仔细|注意|写|检查)|"
    r"是(你|您)(自己)?(操作|用|选|填|写|点|摔|弄|搞|拆|洗|没|不|忘|下错|进水)|是(你|您)(自己)?的(问题|错|责任|原因)|"
    r"(操作|使用)(不当|错误|失误|有误)|谁(让|叫)(你|您)|怪谁|怪不了别人|(还)?怪(我们|我)|"
    r"(你|您)(怎么|连)\w{0,6}(都|也)?不会|(你|您)?懂不懂|(你|您)(会|懂)不(会|懂)(用)?|(你|您)是不是(没|不)|"
    r"(你|您)(用|洗|装|操作)的(方法|方式)(不对|有问题|错)|(你|您)用的\w{0,4}(不对|有问题|错了)|"
    r"(你|您)(自己)?(摔|弄|搞|拆)(坏|的)|(你|您)(的)?(备注|地址)?(没|没有)(写|填|看|注意|按|接)|(你|您)(不|没)接电话|"
    r"你(自己)?不在家|当然(送不到|开不了|用不了|不行|坏|收不到|联系不上)|(你|您)为什么不|(你|您)(肯定|一定)是|"
    r"(肯定|明显|一看就)是(你|您)|这明显是|(你|您)(自己)?(填|选|写|点|下)错|不早说|还来问|还好意思|"
    r"(你|您)怎么(用|搞|弄|操作|装)的|人为(损坏|造成)|"
    r"你自己(?!(看|去|查|翻|量|对照|下载|下楼|拿|取|点开|处理|等|找|问|想办法|看着办|解决))|"
    r"(你|您)\w{0,8}?(插|装|接|放|用|买|选|填|写|输|下|点|拍|订|记)(错|反|小了|大了)|"
    r"(你|您)(给|填|写|留|选|发|提供)的\w{0,6}(不对|有误|错了|错误|是空号|不全|不详细)|(你|您)\w{0,4}(写|填|说)得不(详细|清楚|对|全)|"
    r"(你|您)\w{0,6}(?<!看)是不是(?!(想|要|需要|方便|这个|这款|说))|应该(先)?\w{1,8}的(哦|呀|啊)?(?=[,，。.!！?？;；\s]|$)|"
    r"(你|您)(从来|从|一直|都)(不|没)|当然(?!不(会|用|必|收|影响))(不|没(?!问题)|会坏|有味道|坏)|(你|您)这样(操作|用|弄|洗|搞)|"
    r"没(认真|仔细)看|(你|您)\w{0,8}(也|都)没(问|看|说|注意|写|选|检查)|(选|点|买|写|填|下)的就是"
)


def _blame_excused(d: Draft, m: re.Match[str]) -> bool:
    before = d.before(m)
    if re.search(r"(不|并非|不怪|与)\s*(您|你)?$", before) or re.search(r"不是\S{0,3}$", before):
        return True
    text = m.group(0)
    if re.search(r"如果|要是|若|万一|假如", before):
        return True
    if text.startswith("人为") and not re.search(r"你|您", d.folded):
        return True  # 「人为损坏不在保修范围」 is policy; blame needs the customer named
    return bool(re.search(r"的(问题|错|原因)$", text) and re.search(r"不是", before))


# --- indifference -------------------------------------------------------------------------------

INDIFFERENT = _re(
    r"不知道(?!(您|你|亲|是否|能否|可否|方不方便|方便|有没有|该))|不(太|大)?清楚(?!(的|吗|呢?\s*[?？]))|(再)?等等(看)?吧|(你|您)随意|看着(选|办|买)吧|不晓得|不了解(?!(的|吗|呢))|(回答|答)不了|"
    r"(我|这我|我又)(哪|怎么|咋)(知道|晓得|清楚)|哪知道|随你(?!(挑|选|看))|"
    r"随便(你|您)(?!(看|挑|选|逛))|爱(买不买|要不要|退不退|换不换|来不来)|爱(怎样|怎么样|怎么)就(怎样|怎么样|怎么)|无所谓|"
    r"我(很|太|现在很|正|在|正在|真的很)?忙(着呢|死了)?(?=[,，。.!！?？;；\s]|$|没)|忙着呢|(?<![您你])没(时间|空)(?!的话)|"
    r"(等会|一会|回头|有空|晚点|晚些|待会)(儿)?(再说|再聊|再问|再来)|我(这边|现在|这里)(很|太|正|在)?忙|"
    r"^\W*(嗯|哦|噢|喔|额|呃|嗯嗯|哦哦|知道了|哦\W*知道了|嗯\W*知道了)\W*$"
)


def _indifferent_excused(d: Draft, m: re.Match[str]) -> bool:
    before = d.before(m)
    if re.search(
        r"(您|你|亲|客户|如果|要是|若|有|什么|还有|哪里|哪)\s*(可能|如果|要是|若|还|也)?$", before
    ) and re.match("不(太|大)?(知道|清楚|了解)", m.group(0)):
        return True
    if re.match("不(太|大)?(知道|清楚|了解|晓得)|(回答|答)不了|(再)?等等", m.group(0)):
        return _follow_up_elsewhere(d, m) or bool(re.search(r"我(马上|去|来|帮|这就)|去问|核实|确认", d.after(m)))
    return False


# --- rude words ---------------------------------------------------------------------------------

RUDE = _re(
    r"笨|蠢|白痴|弱智|脑子(有病|进水|坏)|有病|神经病|(?<![傻])傻(?![眼])|瞎(了|吗)|滚|去死|闭嘴|烦不烦|有完没完|"
    r"不识字|你们这些顾客|你怎么(回事|搞的)"
)


RULES: tuple[Rule, ...] = (
    Rule(LintRule.REFUSING, Severity.ERROR, REFUSE_STRONG),
    Rule(LintRule.SHIRKING, Severity.ERROR, SHIRK, _shirk_excused),
    Rule(LintRule.ARGUING, Severity.ERROR, ARGUE, _argue_excused),
    Rule(LintRule.BLAMING, Severity.ERROR, BLAME, _blame_excused),
    Rule(LintRule.COMMANDING, Severity.WARNING, COMMAND, _command_excused),
    Rule(LintRule.CASUAL_PROMISE, Severity.WARNING, PROMISE, _promise_excused),
    Rule(LintRule.INDIFFERENT, Severity.ERROR, INDIFFERENT, _indifferent_excused),
    Rule(LintRule.REFUSING, Severity.WARNING, REFUSE_SOFT, _refusal_excused),
    Rule(LintRule.RUDE, Severity.ERROR, RUDE),
)

# A polite alternative per behaviour, in zh-Hans (Traditional drafts get it converted).  Without 「……」
# the composer offers to put it in place of the flagged words.
SUGGESTIONS: dict[str, str] = {
    LintRule.REFUSING: "非常抱歉，这个暂时没法直接办理，我帮您看看还有什么其他方案",
    LintRule.SHIRKING: "这个问题我来帮您联系处理，有结果第一时间告诉您",
    LintRule.COMMANDING: "麻烦您……，谢谢您的配合",
    LintRule.ARGUING: "可能我刚才没说清楚，我再给您详细说明一下",
    LintRule.CASUAL_PROMISE: "预计……，具体以实际情况为准，我会帮您持续跟进",
    LintRule.BLAMING: "麻烦您描述一下当时的情况，我帮您看看是什么原因",
    LintRule.INDIFFERENT: "您稍等，我帮您查一下，马上给您答复",
    LintRule.RUDE: "可能我没说清楚，我再给您说明一下",
    LintRule.FORBIDDEN_PHRASE: "您稍等，我帮您查一下",
}

_COMMAND_CUE = re.compile(
    r"^(你|您)?(必须|务必得|得|给我|要先|自己|现在就|去|先)?(赶紧|赶快|快点|马上|立刻|立即|现在立刻)?(给我)?"
)


def command_suggestion(folded_clause_rest: str) -> str | None:
    """「你必须先把照片发过来」 → 「麻烦您先把照片发过来，谢谢」: the order, asked politely."""
    rest = _COMMAND_CUE.sub("", folded_clause_rest).strip()
    rest = re.sub(r"(吧|啊|呀|哦|了|嘛|呢)+$", "", rest)
    rest = re.sub(r"(给我)$", "给我们", rest)
    if len(rest) < 2 or re.match(r"(别|不要|少|等|再|照|按|听)", rest) or re.search(r"再说|没用|等着", rest):
        return None
    if rest.startswith("先") or rest.startswith("把"):
        return f"麻烦您{rest}，谢谢"
    return f"麻烦您{rest}一下，谢谢" if len(rest) <= 3 else f"麻烦您{rest}，谢谢"


# --- speed ----------------------------------------------------------------------------------------
# Python's ``re`` jumps straight to candidate positions only when every top-level branch of a pattern
# starts with a literal character.  ``scanners`` rewrites each rule's branches that way where it safely
# can — a leading group of plain alternatives is distributed (「(你|您)说」 → 「你说|您说」), an optional
# leading group becomes two branches, and a leading negative lookbehind moves behind the first
# character (「(?<!能)不能」 → 「不(?<!能不)能」) — and leaves the rest in a second pattern.  The lint
# merges both pattern's matches by position.  Same findings, about twice as fast (``kefu bench lint``).

_META = "()\\[]|?*+{}.^$"
_LEAD_GROUP = re.compile(r"^\(((?:[^()|\\\[\]?*+{}.^$]+\|)*[^()|\\\[\]?*+{}.^$]+)\)(\?)?(?![*+{])")
_LEAD_LOOKBEHIND = re.compile(r"^\(\?<!(\[[^\]]+\]|[^()\\\[\]|?*+{}.^$])\)")


def _top_branches(pattern: str) -> list[str]:
    out: list[str] = []
    depth, in_class, escaped, current = 0, False, False, ""
    for ch in pattern:
        if escaped:
            current, escaped = current + ch, False
            continue
        if ch == "\\":
            current, escaped = current + ch, True
            continue
        if in_class:
            current += ch
            in_class = ch != "]"
            continue
        if ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(current)
            current = ""
            continue
        current += ch
    out.append(current)
    return out


def _literal_start(branch: str) -> bool:
    return bool(branch) and branch[0] not in _META and not (len(branch) > 1 and branch[1] in "?*+{")


def _distribute(branch: str, lookbehinds: tuple[str, ...] = ()) -> list[str] | None:
    """``branch`` as branches that each start with a literal character, or ``None``."""
    if re.search(r"\\\d", branch):
        return None  # a back-reference counts groups; leave it alone
    m = _LEAD_GROUP.match(branch)
    if m:
        rest = branch[m.end() :]
        out: list[str] = []
        options = m.group(1).split("|") + ([""] if m.group(2) else [])
        for alt in options:
            more = _distribute(alt + rest, lookbehinds)
            if more is None:
                return None
            out += more
        return out
    m = _LEAD_LOOKBEHIND.match(branch)
    if m:
        return _distribute(branch[m.end() :], (*lookbehinds, m.group(1)))
    if not _literal_start(branch):
        return None
    first = branch[0]
    return [first + "".join(f"(?<!{x}{re.escape(first)})" for x in lookbehinds) + branch[1:]]


_SCANNERS: dict[str, tuple[re.Pattern[str], ...]] = {}


def scanners(regex: re.Pattern[str]) -> tuple[re.Pattern[str], ...]:
    """The patterns that together find what ``regex`` finds: literal-led branches first."""
    found = _SCANNERS.get(regex.pattern)
    if found is None:
        fast: list[str] = []
        slow: list[str] = []
        for branch in _top_branches(regex.pattern):
            distributed = _distribute(branch)
            if distributed is None:
                slow.append(branch)
            else:
                fast += distributed
        found = tuple(re.compile("|".join(part)) for part in (fast, slow) if part)
        _SCANNERS[regex.pattern] = found
    return found


def finditer(regex: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """The matches of ``regex``'s scanners in ``text``, by position (longest first at one position)."""
    parts = scanners(regex)
    if len(parts) == 1:
        return list(parts[0].finditer(text))
    matches = [m for part in parts for m in part.finditer(text)]
    matches.sort(key=lambda m: (m.start(), -m.end()))
    return matches
