"""Cleaning a news page saved by a scraper: built into an index, only the article remains."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.builder import BuildReport
from index.readers import read_sources
from index.scraped import clean_scraped_text
from index.store import LoadedIndex
from index.text import canonicalize
from service.components import Components
from tests.helpers import RAW_PAGE, SAMPLE_DIR, assert_quotes_valid, naive_sentences, quote_hit

needs_raw_page = pytest.mark.skipif(
    not RAW_PAGE.is_file(),
    reason=f"the scraped reference page {RAW_PAGE} is absent (../shared is not checked out)",
)

TITLE = "한국-엔비디아 ‘AI 동맹’… GPU 26만개 공급, ‘피지컬 AI’ 전방위 협력"
PUBLISHED = "2025-10-31T17:10:25"
BYLINE = "김우정 기자"

# The article body as it appears in the raw file: from the paragraph after the twice-printed
# caption to the one before the "*유튜브와 …" promo footnote (subheadings included).
BODY_PARAGRAPHS = [
    "젠슨 황 엔비디아 최고경영자(CEO)가 방한 전 예고했던 “한국을 기쁘게 할 발표”의 실체가 "
    "드러났다. 한국과의 대규모 피지컬 AI 협력과 14조 원 규모 최첨단 인공지능(AI) 그래픽처리장치"
    "(GPU) 26만 개 공급 등 초대형 AI 선물 꾸러미가 열렸다.",
    "“대한민국, AI 수도로 거듭날 것”",
    "이재명 대통령은 10월 31일 아시아태평양경제협력체(APEC) 정상회의 CEO 서밋 참석차 경북 경주를 "
    "찾은 젠슨 황 CEO를 접견하고 AI 산업 협력 방안을 논의했다. 접견에는 이재용 삼성전자 회장과 "
    "최태원 SK그룹 회장, 정의선 현대차그룹 회장, 이해진 네이버 의장도 함께했다. 엔비디아와 한국 "
    "정부, 기업들은 ‘피지컬 AI’를 비롯한 AI 인프라 구축과 관련 기술 공동 연구, AI 인재 양성 및 "
    "스타트업 지원에서 협력하기로 했다. 이 자리에서 이 대통령은 젠슨 황 CEO에게 “대한민국의 목표는 "
    "아시아태평양 지역의 ‘AI 수도’로 거듭나는 것”이라며 “엔비디아도 동참해 인프라·기술·투자가 "
    "선순환하는 AI 생태계를 함께 만들어가길 기대한다”고 말했다.",
    "이날 발표된 엔비디아와 한국 간의 협력 청사진의 핵심은 ‘GPU 26만개’와 ‘피지컬 AI’다. GPU는 "
    "AI 인프라 구축에 필요한 핵심 제품이다. 최근 글로벌 AI 산업 경쟁이 치열해지며 엔비디아 GPU는 "
    "품귀 현상을 빚고 있다. 엔비디아는 이 대통령과 젠슨 황 CEO 만남을 계기로 한국 정부와 기업에 "
    "자사의 최신 GPU인 ‘블랙웰’ 26만 개를 공급하기로 했다. 블랙웰 공급 물량은 한국 정부 5만 개를 "
    "비롯해 삼성전자와 SK그룹, 현대차에 각각 5만개, 네이버 6만 개다. 한국 정부와 기업이 최첨단 "
    "GPU를 확보함으로써 AI 경쟁에서 유리한 고지를 선점했다는 분석이 나온다.",
    "SK하이닉스‧삼성전자 HMB 납품 확대될 듯",
    "엔비디아의 GPU 공급 확대로 한국 반도체 기업의 납품 물량 증가에 따른 선순환도 기대된다. "
    "엔비디아 GPU에는 SK하이닉스와 삼성전자의 고대역폭 메모리(HBM)가 탑재되고 있다. 한국 "
    "기업들로선 첨단 GPU 공급처를 확보한 동시에 HBM 납품 실적을 올림으로써 윈윈할 수 있는 것이다. "
    "SK하이닉스와 삼성전자는 엔비디아 GPU를 활용해 반도체 생산 공정 개선을 위한 디지털 트윈(제품‧"
    "공정 등 물리적 시스템을 가상 환경에서 재현해 설계‧운영에 활용하는 기술) "
    "구축에도 나설 계획이다.",
    "정부와 국내 기업들이 ‘피지컬 AI 선도 국가’를 위해 엔비디아와의 구체적 협력 방안을 밝힌 대목도 "
    "눈에 띈다. 피지컬 AI는 자율주행차, 휴머노이드 등 실물 하드웨어에 탑재되는 AI를 뜻한다. 피지컬 "
    "AI이 본격화되면 디지털 공간에서 쓰이던 AI가 물리적 실체를 갖고 산업 현장과 일상에까지 도입될 "
    "전망이다. 젠슨 황 CEO는 올해 1월 세계 최대 가전·정보기술(IT) 전시회인 CES 2025 기조연설에서 "
    "“AI의 다음 개척 분야는 피지컬 AI”라고 천명한 바 있다.",
    "이날 엔비디아는 한국 정부, 주요 기업들과 연쇄적인 피지컬 AI 협력 방안을 발표했다. 우선 "
    "엔비디아‧과학기술정보통신부·현대차그룹은 한국 피지컬 AI 역량 고도화를 위한 "
    "3자 양해각서(MOU)를 "
    "체결했다. 이를 통해 현대차그룹은 엔비디아와 피지컬 AI 인프라 구축 및 기술 협력을 추진하기로 "
    "했다. 엔비디아는 네이버클라우드와 MOU를 체결해 차세대 ‘피지컬 AI’ 플랫폼을 공동 개발하기로 "
    "했고, LG전자의 피지컬 AI, 디지털트윈 등 차세대 기술 혁신에도 협력하기로 했다.",
]

BOILERPLATE = [
    "글자크기",
    "reporterImage",
    "friend@donga.com",
    "대통령실통신사진기자단",
    "송은석 동아일보 기자",
    "안녕하세요. 주간동아",
    "갤럭시Z 트라이폴드",
    "따따블",
    "댓글 0",
    "유튜브와 포털에서",
    "주간동아 1512",
    "입력2025",
]


@pytest.fixture(scope="module")
def raw_build(
    components: Components, tmp_path_factory: pytest.TempPathFactory
) -> tuple[BuildReport, LoadedIndex]:
    if not RAW_PAGE.is_file():
        pytest.skip(f"the scraped reference page {RAW_PAGE} is absent")
    folder = tmp_path_factory.mktemp("raw-page")
    shutil.copy(RAW_PAGE, folder / "page.txt")
    report = components.build_from_sources([folder], folder / "index")
    return report, components.open_index(folder / "index")


@pytest.fixture(scope="module")
def raw_index(raw_build: tuple[BuildReport, LoadedIndex]) -> LoadedIndex:
    return raw_build[1]


@needs_raw_page
def test_raw_page_builds_one_article(raw_build: tuple[BuildReport, LoadedIndex]) -> None:
    report, index = raw_build
    assert (report.records, report.indexed, report.skipped) == (1, 1, [])
    assert len(index.articles) == 1


@needs_raw_page
def test_raw_page_metadata(raw_index: LoadedIndex) -> None:
    article = raw_index.articles[0]
    assert article.title == TITLE
    assert article.published == PUBLISHED
    assert article.metadata["author"] == BYLINE
    assert article.lang == "ko"
    assert Path(article.metadata["file"]).name == "page.txt"


@needs_raw_page
def test_clean_scraped_text_byline() -> None:
    page = clean_scraped_text(RAW_PAGE.read_text(encoding="utf-8"))
    assert (page.title, page.published, page.byline) == (TITLE, PUBLISHED, BYLINE)


@needs_raw_page
def test_every_body_sentence_is_indexed(raw_index: LoadedIndex) -> None:
    article = raw_index.articles[0]
    indexed = [raw_index.sentence_text(r) for r in range(raw_index.sentence_count)]
    paragraphs = article.text.split("\n\n")
    for paragraph in BODY_PARAGRAPHS:
        assert paragraph in paragraphs, f"body paragraph missing or altered: {paragraph[:40]!r}"
        for sentence in naive_sentences(paragraph):
            assert sentence in indexed, f"body sentence not indexed: {sentence!r}"
    # In order, with nothing between them but the paragraph breaks.
    body = "\n\n".join(BODY_PARAGRAPHS)
    assert body in article.text


@needs_raw_page
@pytest.mark.parametrize("fragment", BOILERPLATE)
def test_boilerplate_is_not_indexed(raw_index: LoadedIndex, fragment: str) -> None:
    article = raw_index.articles[0]
    assert fragment not in article.text
    assert fragment not in article.title
    for row in range(len(raw_index.passages)):
        assert fragment not in raw_index.passage_text(row)


@needs_raw_page
def test_caption_is_dropped_but_body_keeps_its_facts(raw_index: LoadedIndex) -> None:
    text = raw_index.articles[0].text
    assert "악수하고 있다" not in text  # photo caption, printed twice on the page
    assert "기념촬영을 하고 있다" not in text
    assert text.count("네이버 6만 개다.") == 1


@needs_raw_page
def test_question_over_the_raw_page(components: Components, raw_index: LoadedIndex) -> None:
    answer = components.answerer(raw_index).ask("네이버는 블랙웰 GPU를 몇 개 받나?")
    assert_quotes_valid(answer, raw_index)
    assert quote_hit(answer, ["네이버 6만 개"], 3)


def test_clean_text_file_passes_through_intact() -> None:
    """A plain .txt article (no masthead, byline or date) keeps its title and all text."""
    path = SAMPLE_DIR / "extra" / "busan-port.txt"
    raw = path.read_text(encoding="utf-8")
    title, _, body = raw.strip().partition("\n")
    page = clean_scraped_text(raw)
    assert page.title == title.strip()
    assert canonicalize(page.text) == canonicalize(body)
    article = next(a for a in read_sources([path]).articles)
    assert article.title == title.strip()
    assert article.text == canonicalize(body)
    assert article.published is None
