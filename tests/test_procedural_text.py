"""T1 (problems_substantive) and T2 (fee_reported) on tiny in-memory batches: the text of section
五 or 六 of each report, the check's status."""

from __future__ import annotations

import polars as pl
import pytest

from checks.frames import PartData
from checks.kinds.procedural import FUNCTIONS


def judged(function: str, no: str, texts: dict[str, str]) -> dict[str, str]:
    """report -> status of `function` over reports whose section `no` is the text given."""
    sections = pl.DataFrame([(rid, no, 0, t) for rid, t in texts.items()],
                            schema={"report_id": pl.Utf8, "section_no": pl.Utf8, "position": pl.Int64, "text": pl.Utf8},
                            orient="row")
    reports = pl.DataFrame({"report_id": list(texts)}).with_row_index("rid")
    out = FUNCTIONS[function](PartData(reports, sections, {}, {}), reports, None)
    return dict(zip(out["report_id"], out["status"], strict=True))


NOTHING = [
    "（一）存在的主要问题\n无。\n（二）改进情况\n无。",  # sub-headings over 无
    "1.存在的主要问题\n暂无。\n2.改进情况\n无。",
    "（一）存在的主要问题无（二）改进情况无", "一、存在的主要问题 暂无 二、改进措施 无",  # on one line: a crawl, an HTML paragraph
    "（一）存在的主要问题：无。（二）改进情况：暂无。",
    "本单位本年度不存在需要说明的主要问题及改进情况。",  # 'none' in words of the heading
    "本年度本机关政府信息公开工作无存在的主要问题及改进情况。",
    "我单位本年度暂无存在的主要问题和需要改进的情况。",
    "本年度我局政府信息公开工作未发现存在问题。",
    "存在的问题：无。改进情况：无。下一步工作：暂无。",
    "本年度政府信息公开工作总体运行良好，无。",  # lead-ins stating no problem, then 'none'
    "我单位高度重视政府信息公开工作，本年度未发现存在的问题。",
    "本年度，我局政府信息公开工作开展顺利，暂无需要改进的问题。",
    "经认真梳理，本机关本年度政府信息公开工作中未发现存在的主要问题。",
]
SOMETHING = [
    "一是政策解读形式较为单一；二是依申请公开答复文书规范性有待提高。下一步，我局将丰富解读形式，加强答复文书审核。",
    "无障碍浏览功能有待完善，部分老年人无法顺利查询信息；下一步将优化网站无障碍服务。",
    "（一）存在的主要问题\n一是政策解读形式单一；二是栏目更新不及时。\n（二）改进情况\n下一步将加强培训，完善制度。",
    "1.政策解读形式单一\n2.栏目更新不及时\n3.公开目录不完整",  # numbered items that are no headings
    "（一）存在的主要问题政策解读形式单一（二）改进情况下一步将丰富解读形式",  # on one line
    "1.工作人员不足 2.栏目更新不及时",
    "主动公开工作还存在不足，下一步将改进。",
    "本单位不存在信息发布审核不严的问题，但栏目更新不够及时，下一步将明确专人负责。",
    "存在的主要问题：部分乡镇没有工作计划。改进情况：无。",  # a problem stated with 没有
    "（一）存在的主要问题\n个别单位没有整改措施，公开目录更新滞后。\n（二）改进情况\n无。",
    "存在的主要问题：基层单位没有明显改进。改进情况：无。",
    "政策解读形式较为单一，除此之外未发现其他问题。",  # a problem, then 'no other'
    "经自查，部分栏目更新不够及时，暂无其他问题。", "部分栏目更新滞后，本年度未发现存在的其他问题。",
    "我单位高度重视政府信息公开工作，但基层人员力量薄弱，暂无专项经费。",
]


@pytest.mark.parametrize("text", NOTHING)
def test_problems_that_say_there_are_none_are_not_substantive(text):
    """Sub-headings and 'there were no problems' in words passed as content."""
    assert judged("problems_substantive", "五", {"r": text}) == {"r": "fail"}


@pytest.mark.parametrize("text", SOMETHING)
def test_problems_stated_are_substantive(text):
    assert judged("problems_substantive", "五", {"r": text}) == {"r": "pass"}


FEE_STATED = [
    "信息处理费：不涉及。", "本年度未涉及信息处理费。", "本年度无信息处理费。", "本年度不存在信息处理费。",
    "本机关不存在信息处理费收取情况。", "信息处理费收取情况：本年度无。", "信息处理费：本年度未发生。",
    "本年度政府信息公开申请均免费办理，无其他需要报告的事项。", "信息处理费收取金额（万元）：0", "信息处理费：0.00",
    "本年度共收取信息处理费贰佰元。", "信息处理费收取情况：零。", "本年度收取信息处理费200元。",
    "本年度向申请人收取信息处理费共计1笔、100元。", "本年度收取信息处理费合计０元。", "本年度未收取任何费用。",
    "本年度依申请公开工作不涉及收费。", "根据国办函〔2020〕109号文件规定，本年度未产生信息处理费。",
    "本年度没有发生收取信息处理费的情况。", "本年度未因政府信息公开申请发生收费情况。",
    "本年度发出收费通知1件，申请人逾期未缴费，未实际收取信息处理费。",
    "本年度我局均未向政府信息公开申请人收取信息处理费。", "本机关未对任何申请人收取信息处理费。",
    "本机关没有向任何申请人收取信息处理费。", "本年度本机关未曾收取信息处理费。",
    "本机关对政府信息公开申请一律免费办理。", "本机关向申请人免费提供所申请的政府信息。",  # the applications free
    "本年度依申请免费提供政府信息。", "本年度收费0元。", "本年度未向申请人收取任何费用。",
    "本机关免费向申请人提供政府信息。", "免费为申请人提供政府信息。", "对申请人提供的政府信息均免费。",  # failed
    "本年度未收取信息处理费，无行政许可收费。", "未收取信息处理费，不动产登记费按规定标准收取。",  # beside another fee
    "本年度没有依法收取信息处理费。", "本机关未向申请人按标准收取信息处理费。", "本机关未曾依法收取信息处理费。",
    "申请均免费办理，无依法收取信息处理费情况。",
    "本年度未收取信息处理费和行政事业性收费。", "信息处理费及行政事业性收费均未收取。",  # another fee beside it
    "本年度未收取行政事业性收费和信息处理费。", "信息处理费、运维费用均为0元。",
    "本年度未收取信息处理费。对超出合理范围的申请，依法收取信息处理费。",  # none, beside the rule for collecting
    "对超出合理范围的申请，依法收取信息处理费。本年度本机关未收取信息处理费。",
    "本年度未收取信息处理费。今后对超出合理范围的申请，将按标准收取信息处理费。",
    "本年度政府信息公开申请均免费办理。信息处理费依法收取的情况：无。",
    "本年度未收取信息处理费，对超出合理范围的申请，依法收取信息处理费。",  # (the rule after a comma)
    "本机关未收取信息处理费，如需收取将按标准收取。", "信息处理费依法收取的情况：无。",
    "本年度按标准收取信息处理费共计1500元。",  # (an amount, not a rate: 按标准 is no 标准为)
    "本年度收取信息处理费200元，信息处理费以外的其他费用均未收取。", "除信息处理费200元外，本年度未收取其他费用。",
    "本年度未收取信息处理费，除信息处理费外也未收取其他费用。", "除上述情况外，本年度未收取信息处理费，此外无其他事项。",
    "本年度，信息处理费收取情况：无。", "全年，信息处理费收取情况为零。", "本年度，信息处理费收取数为0。",  # (收取 a noun's)
    "本年度，本机关收取信息处理费情况：未收取。", "本年度本机关收取信息处理费情况：未收取。",
]
FEE_NOT_STATED = [
    "本单位无行政事业性收费项目，无其他需要报告的事项。",  # another fee
    "本年度政府网站运维费用12万元，无其他需要报告的事项。",
    "本机关本年度行政事业性收费金额为35.6万元。",
    "本年度政务公开工作经费共计5万元，无其他需要报告的事项。",
    "信息处理费按照《政府信息公开信息处理费管理办法》规定的标准收取，按件计收标准为每件100元。",  # a rate
    "我局严格按照规定收取信息处理费，不断规范收费行为。",  # policy
    "严格执行《政府信息公开信息处理费管理办法》，不得擅自收取信息处理费。",
    "本年度信息处理费收取工作规范有序，未发生因收费引发的投诉。",
    "依法依规收取信息处理费，无违规收费情况。",
    "本年度依法收取信息处理费。",
    "本年度共收取信息处理费3笔。",
    "无其他需要报告的事项。",
    "本机关依申请提供政府信息，除按规定收取信息处理费外，均免费提供。",  # some collected, no amount
    "本年度对超出合理范围的申请收取了信息处理费，其余申请免费。",
    "本机关无其他需要报告的事项。本机关免费提供政府信息公开申请表。",  # something else free: a form, copies
    "无。本年度我局政务大厅免费为申请人复印材料。", "本机关免费向申请人提供申请书格式文本。",
    "本年度行政许可收费0元。", "本年度行政审批收费为0。", "本年度不动产登记收费0元。",  # a fee of another matter
    "对申请人提供的政府信息不再免费，按标准收取信息处理费。", "本机关提供的政府信息并非全部免费，依法收取信息处理费。",
    "本年度向申请人收取了信息处理费，不涉及行政事业性收费，未收取其他费用。",  # some collected, no amount
    "本年度未收取其他费用；依法收取信息处理费。", "本年度未收取其他费用。",  # (other fees)
    "本年度向超出合理范围的申请人收取了信息处理费。其余申请均免费办理。",  # (collected, said in another clause)
    "本年度依法收取信息处理费。其他申请均免费办理。", "本年度按标准收取信息处理费。其他政府信息公开申请未收取费用。",
    "本年度向2名申请人按标准收取信息处理费；其余申请人未收取任何费用。",
    "本年度向2名申请人收取了信息处理费；对其他申请人未收取信息处理费。",
    "本年度收取行政许可收费10万元及信息处理费。", "依法收取信息处理费和行政事业性收费。",  # whose amount: not told
    "本年度，我局依法收取信息处理费。其他申请均免费办理。",  # (this year's, after a comma)
    "今年，本机关按标准收取信息处理费；其余申请未收取费用。",
    "本年度未收取信息处理费以外的其他费用。", "除信息处理费之外，本机关未收取任何费用。",  # (fees other than it)
    "未收取信息处理费外的其他费用。", "除信息处理费，本年度未收取其他费用。",
    "2023年，我局依法收取信息处理费。其他申请均免费办理。", "2023年度，我局依法收取信息处理费。其他申请均免费办理。",
    "报告期内，我局依法收取信息处理费。其他申请均免费办理。", "本年度内，我局依法收取信息处理费。其他申请均免费办理。",
]


@pytest.mark.parametrize("text", FEE_STATED)
def test_the_fee_stated_in_other_words_is_reported(text):
    """Ways of saying no fee (or how much) was collected that failed."""
    assert judged("fee_reported", "六", {"r": text}) == {"r": "pass"}


@pytest.mark.parametrize("text", FEE_NOT_STATED)
def test_other_fees_rates_and_policy_do_not_report_the_fee(text):
    """Other fees' amounts, a rate, and 不断/不得/未发生…投诉 passed as the fee reported."""
    assert judged("fee_reported", "六", {"r": text}) == {"r": "fail"}
