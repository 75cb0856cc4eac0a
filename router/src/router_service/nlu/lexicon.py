"""Words: answers to a proposal, request verbs, question cues and place names.

All constants; extend a tuple or a pattern here and add a test (see docs/nlu.md).
"""

from __future__ import annotations

import re

# Whole-message answers to a pending proposal (after dropping punctuation and 요-endings).
APPROVE_WORDS = (
    "네",
    "넵",
    "넹",
    "넴",
    "네네",
    "예예",
    "예",
    "응",
    "웅",
    "어",
    "엉",
    "ㅇ",
    "ㅇㅇ",
    "ㅇㅋ",
    "ㅇㅇㅇ",
    "ㅇㅋㅇㅋ",
    "오케이",
    "오키",
    "오키도키",
    "ok",
    "okay",
    "yes",
    "y",
    "좋아",
    "좋아요",
    "좋습니다",
    "좋네",
    "좋지",
    "그래",
    "그래요",
    "그럼",
    "그러자",
    "그렇게 해",
    "그렇게 해줘",
    "그렇게 해 줘",
    "그렇게 해주세요",
    "그렇게 해 주세요",
    "맞아",
    "마자",
    "맞아요",
    "맞습니다",
    "확인",
    "알겠어",
    "알았어",
    "등록해",
    "등록해줘",
    "등록해 줘",
    "등록해주세요",
    "등록해 주세요",
    "등록",
    "추가해줘",
    "추가해 줘",
    "추가해 주세요",
    "넣어줘",
    "넣어 줘",
    "넣어주세요",
    "넣어 주세요",
    "저장해줘",
    "저장해 줘",
    "잡아줘",
    "잡아 줘",
    "진행해",
    "진행해줘",
    "진행해 주세요",
    "진행시켜",
    "고",
    "고고",
    "콜",
    "부탁해",
    "부탁해요",
    "부탁드려요",
    "당연하지",
    "물론",
    "그렇지",
    "좋아 등록해줘",
    "ㄱㄱ",
    "예스",
    "웅웅",
    "좋아좋아",
    "그래그래",
    "좋은 생각이야",
    "해줘",
    "해 줘",
    "해주세요",
    "해 주세요",
    "그걸로",
    "그걸로 해줘",
    "그걸로 해",
    "그걸로 할게",
    "그걸로 하자",
    "그걸로 가자",
    "그렇게 할게",
    "그렇게 하자",
    "그렇게",
    "완벽해",
    "딱 좋아",
)
REJECT_WORDS = (
    "아니",
    "아니요",
    "아니오",
    "아뇨",
    "아님",
    "노",
    "no",
    "nope",
    "n",
    "ㄴ",
    "ㄴㄴ",
    "ㄴㄴㄴ",
    "싫어",
    "시러",
    "싫어요",
    "됐어",
    "됐어요",
    "됐고",
    "됐다",
    "취소",
    "취소해",
    "취소해줘",
    "취소해 줘",
    "취소해 주세요",
    "취소할게",
    "하지 마",
    "하지마",
    "하지 마세요",
    "하지마세요",
    "하지 말아줘",
    "안 해",
    "안해",
    "안 할래",
    "안 할게",
    "안할게",
    "안할래",
    "그만",
    "그만해",
    "필요 없어",
    "필요없어",
    "괜찮아요 됐어요",
    "아니 됐어",
    "아니야",
    "등록하지 마",
    "등록하지마",
    "등록하지 마세요",
    "추가하지 마",
    "추가하지 마세요",
    "넣지 마",
    "넣지 마세요",
    "하지 말자",
    "잠깐",
    "잠깐만",
    "괜찮아",
    "괜차나",
    "괜찮습니다",
    "다음에",
    "나중에",
    "다음에 할게",
    "나중에 할게",
    "다시",
    "틀렸어",
    "취소할래",
    "안 돼",
    "안돼",
    "no thanks",
    "아냐",
    "아닙니다",
    "별로",
    "둬",
    "둬요",
    "두세요",
    "놔둬",
    "냅둬",
    "그대로 둬",
    "둘 다 아니야",
    "둘 다 아니",
    "둘 다 싫어",
    "다 아니야",
    "아니 됐어요",
)
_FILLER = r"(?:그거|그건|이거|이건|방금\s*거|방금|그냥|음|아|어|좀|일단)"
# Thanks after an answer (그래그래 고마워, 아니 괜찮아 감사해요) changes nothing; alone it is talk.
_THANKS = (
    r"(?:\s*[,.!]?\s*(?:고마워|고맙습니다|고마워요|감사해요|감사합니다|감사|땡큐|thanks|thx))?"
)


def _answers(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(
        re.escape(w).replace(r"\ ", r"\s*") for w in sorted(words, key=len, reverse=True)
    )
    one = rf"(?:{alternatives})(?:요|용|염)?"
    return re.compile(
        rf"(?:{_FILLER}\s*)*{one}(?:\s*[,.]?\s*(?:{_FILLER}\s*)*{one})*{_THANKS}", re.IGNORECASE
    )


APPROVE = _answers(APPROVE_WORDS)
REJECT = _answers(REJECT_WORDS)
ANSWER_NOISE = re.compile(r"[\s.!~,?ㅎㅠㅜ^]+$|^[\s.!~,]+")

UPDATE_VERB = re.compile(
    r"변경|바꿔|바꾸|바꿀|바꿔줄|옮겨|옮기|옮길|미뤄|미루|미룰|당겨|앞당|연기|수정|조정|늦춰|늦출|땡겨|재조정"
)
DELETE_VERB = re.compile(r"삭제|지워|지우|지울|취소|없애|빼\s*줘|빼\s*주|빼줄|캔슬|cancel", re.I)
# What may follow an update/delete verb to the end of the message: its ending and polite
# request words only. A verb followed by more nouns (설계 변경 검토 회의) names a thing.
VERB_TAIL = re.compile(
    r"[가-힣]*(?:\s+(?:줘|주세요|줄래|줄래요|주라|주실래요|주실\s*수\s*있(?:나요|어요|을까요)|"
    r"줄\s*수\s*있(?:어|나요|을까|니)|부탁(?:해|해요|드려요|드립니다|합니다)?|좀|요|해|해줘|"
    r"해\s*줘|해주세요|해\s*주세요|해\s*줄래|하고\s*싶어|할래|할게|하자|해야\s*해|해야\s*돼|"
    r"됐어|됐어요|되었어|됐습니다|할\s*수\s*있어|가능해|가능할까|가능한가요))*\s*[.!?~]*$"
)
CREATE_VERB = re.compile(
    r"잡아|잡자|잡을|잡고|등록|추가|넣어|넣을|만들어|생성|기록해|저장해|예약해|적어|메모해|일정\s*(?:좀\s*)?잡"
)
QUERY_CUE = re.compile(
    r"알려|보여|뭐\s*있|뭐\s*야|뭐지|뭐가|뭐였|무슨\s*일정|무슨\s*약속|일정\s*있|약속\s*있|있어\s*\?|있나|있니|있지|"
    r"몇\s*시|있는지|있냐|있어요\s*\?|있을까|있던가|확인해|확인\s*좀|조회(?=\s*(?:해|하|좀|부탁|요|[?.!]))|(?:일정|스케줄|약속)\s*조회|몇\s*개|몇\s*건|어떻게\s*돼|바빠\s*\?|바쁘니|바쁜가|바쁠까|한가(?!위)|비어\s*있|"
    r"비었|비어\s*\?|뭐\s*했|있었(?:나|니|어\s*\?|지|던가|는지)|남은\s*(?:일정|약속|스케줄)|일정\s*(?:표|목록)|체크해|뭐\s*해|언제|시간\s*(?:돼|되|있|비|괜찮|나)"
)
# "When is my next …?": a question about an event by name, not about a day.
WHEN_CUE = re.compile(r"언제")
EVENT_NOUNS = re.compile(
    r"회의|미팅|약속|예약|면접|모임|회식|수업|진료|검진|스터디|세미나|발표|출장|행사"
)
QUESTION = re.compile(r"\?|어때|누구|왜|뭐야|뭐해|어디야|얼마|몇\s*도|할까|될까")
CALENDAR_NOUNS = re.compile(r"일정|스케줄|약속|캘린더|달력")

# A token that only asks for something (dropped from a title).
REQUEST_TOKEN = re.compile(
    r"(?:좀|꼭|해|해줘|해줄래|해\s*줘|해주세요|해요|줘|주세요|줄래|줄래요|주라|주실래요|부탁해|부탁해요|부탁드려요|"
    r"부탁드립니다|부탁합니다|부탁|하자|할게|할래|해야\s*해|해야돼|있어|있음|있다|요|please|plz|"
    r"어때|어때요|어떄|어떻게|돼|돼요|되지|되나요|"
    r"주실|주시겠어요|수|있나요|있을까요|있어요|있니|가능해|가능해요|가능할까|가능할까요|가능한가요|"
    r"(?:잡아|잡자|잡을|등록|추가|넣어|넣을|만들어|생성|기록|저장|적어|메모|예약해|변경|바꿔|바꾸|옮겨|옮기|미뤄|"
    r"미루|당겨|앞당겨|연기|수정|조정|늦춰|땡겨|삭제|지워|지우|취소|없애|빼|캔슬|알려|보여)"
    # ... with a verb's ending only: 등록금, 빼빼로데이, 취소표 and 메모장 are things.
    r"(?:(?=[해하할했줘주줄쥬죠좀자요게고서래까면지세시드셔도다라])[가-힣]*)?|"
    # 적금 확인, 서류 체크: these nouns are a title unless a verb ending follows.
    r"(?:확인|조회|체크)[가-힣]+)[.!?~]*",
    re.I,
)
KIND_WORDS = frozenset(
    {"일정", "일정을", "일정으로", "일정은", "일정이", "스케줄", "스케줄을", "스케줄은", "약속을"}
)
# Where the request puts the event (캘린더에 추가해줘) and what points at it (그거 넣어줘).
DESTINATION_TOKENS = frozenset(
    {"캘린더에", "캘린더에다", "달력에", "달력에다", "일정에", "스케줄에", "구글캘린더에"}
    | {"그거", "그것", "이거", "그건", "그걸"}
)
# Words that open a sentence of chatter (그래도 …), no part of a title.
DISCOURSE_TOKENS = frozenset(
    {"그래도", "근데", "그런데", "그리고", "아무튼", "암튼", "그래서", "참", "아", "저기"}
    | {"말인데", "맞다", "아맞다", "맞아", "어쨌든", "어쨌거나", "그나저나", "그럼", "참고로"}
)
PARTICLE_TOKENS = frozenset(
    {"에", "에서", "을", "를", "은", "는", "이", "가", "로", "으로", "의", "도", "중", "중에"}
)
# A leading answer word before a correction (아니 4시로 바꿔줘); dropped from titles.
ANSWER_TOKEN = re.compile(r"(?:네|넵|응|어|예|아니|아니요|아뇨|아냐|ㅇㅇ|ㄴㄴ|그래|좋아|음)[,.!~]*")
NEGATION = re.compile(r"\s*말고(?![가-힣])")
IMPERATIVE_END = re.compile(r"(?:줘|주세요|줄래|줄래요|해요|하자|할게|해)[.!?~]*$")
# "Keep the rest as it is" phrases in an update (모레 같은 시간으로): no part of a title.
KEEP_PHRASE = re.compile(r"(?:같은|똑같은|동일한)\s*시간(?:으로|에|대로)?|시간은\s*그대로|그대로")
SUBJECT_PARTICLE = re.compile(r"(?<=[가-힣A-Za-z0-9]{2})(?:이|가)$")
OBJECT_PARTICLE = re.compile(r"(?<=[가-힣A-Za-z0-9])(?:을|를)$")

# Places: the last word of a trailing place phrase ends with one of these.
PLACE_SUFFIXES = (
    "회의실",
    "역",
    "호텔",
    "병원",
    "의원",
    "한의원",
    "오피스",
    "카페",
    "센터",
    "빌딩",
    "타워",
    "학교",
    "대학교",
    "공원",
    "도서관",
    "미술관",
    "박물관",
    "체육관",
    "영화관",
    "사무실",
    "식당",
    "고깃집",
    "횟집",
    "맛집",
    "술집",
    "찻집",
    "빵집",
    "레스토랑",
    "백화점",
    "마트",
    "공항",
    "터미널",
    "강당",
    "교회",
    "성당",
    "헬스장",
    "스튜디오",
    "라운지",
    "캠퍼스",
    "회관",
    "경기장",
    "운동장",
    "본사",
    "지사",
    "사옥",
    "본점",
    "지점",
    "매장",
    "코엑스",
    "스타벅스",
    "홀",
    "룸",
    "아파트",
    "광장",
    "시장",
    "서점",
    "연구소",
    "주민센터",
    "구청",
    "시청",
    "법원",
    "은행",
    "약국",
    "출구",
    "입구",
    "정문",
    "후문",
    "로비",
)
# A shop's branch (스타벅스 강남점); these 점-words are not places.
BRANCH = re.compile(r"[가-힣A-Za-z0-9]{2,}점")
NOT_BRANCHES = frozenset(
    {
        "문제점",
        "공통점",
        "차이점",
        "개선점",
        "출발점",
        "교차점",
        "장단점",
        "시작점",
        "중간점",
        "반환점",
    }
)
NOT_PLACES = frozenset(
    {"번역", "통역", "지역", "영역", "무역", "구역", "전역", "역할", "역량", "이력", "홀수", "룸메"}
)
# Words that may precede the place word inside one place phrase (본사 3층 회의실).
PLACE_MODIFIER = re.compile(
    r"(?:본사|지사|사옥|본관|별관|신관|회사|지하|\d+\s*층|\d+\s*호|\d+\s*번|[A-Za-z]\d*동|[가-힣A-Za-z0-9]+(?:층|호|관|동|구|시|군|점|역|빌딩|타워|센터)|"
    r"서울|부산|인천|대구|대전|광주|울산|세종|제주|경기|강원|강남|강북|홍대|신촌|판교|여의도|종로|명동|잠실|"
    r"성수|분당|일산|수원|을지로|광화문|삼성|역삼|선릉|합정|건대|이태원|용산|마포|서초|송파)"
)
# Words that relate a place to another (서울역 앞 카페).
PLACE_RELATION = re.compile(r"앞|뒤|옆|근처|건너편|맞은편|안|내|지하|\d+층|\d+번\s*출구")
# Words that widen a target to many events (내일 일정 다 취소해줘): not part of a title.
QUANTIFIERS = frozenset({"다", "모두", "전부", "전체", "모든", "싹", "몽땅"})
REGIONS = (
    r"서울(?:특별시|시)?|부산(?:광역시|시)?|인천(?:광역시|시)?|대구(?:광역시|시)?|대전(?:광역시|시)?|"
    r"광주(?:광역시|시)?|울산(?:광역시|시)?|세종(?:특별자치시|시)?|제주(?:특별자치도|도)?|경기(?:도)?|"
    r"강원(?:도|특별자치도)?|충북|충남|전북|전남|경북|경남|충청북도|충청남도|전라북도|전라남도|"
    r"경상북도|경상남도|[가-힣]{1,4}시"
)
# A road-name address: region? district? road(로|길) number.
ADDRESS = re.compile(
    rf"(?:(?:{REGIONS})\s+)?(?:[가-힣]{{1,5}}(?:구|군)\s+)?(?:[가-힣]{{1,4}}(?:동|읍|면)\s+)?"
    r"[가-힣0-9]{1,10}(?:로|길)\s*\d+(?:\s*번?길\s*\d+)?(?:-\d+)?(?:번지)?(?:\s*\d+\s*층)?"
)
ADDRESS_HEAD = re.compile(rf"^(?:{REGIONS})\s|^[가-힣]{{1,5}}(?:구|군)\s")
