"""Generate the sample exports in sample_data/: a Tmall 订单报表 workbook and a Shopify orders CSV.

Both files copy the layout of real exports (docs/architecture.md, "Reading real exports"): header names, column
order, how values are written and which quirks appear. Everything comes from one seeded generator, so running the
script twice gives the same files.

    python scripts/make_sample_data.py [--out DIR] [--seed N]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xlsxwriter

SEED = 20261031
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "sample_data"
END = dt.datetime(2026, 10, 31, 23, 59, 59)
DAYS = 730  # two years up to END
START = dt.datetime.combine(END.date() - dt.timedelta(days=DAYS - 1), dt.time())

Rng = np.random.Generator


# ---------------------------------------------------------------------------------------------------------
# shared helpers
# ---------------------------------------------------------------------------------------------------------


def _pick(rng: Rng, items: Sequence[Any], weights: Sequence[float] | None = None) -> Any:
    if weights is None:
        return items[int(rng.integers(len(items)))]
    p = np.asarray(weights, dtype=float)
    return items[int(rng.choice(len(items), p=p / p.sum()))]


def _purchase_counts(rng: Rng, n: int, one_share: float, heavy: int, heavy_range: tuple[int, int],
                     repeat_p: float, repeat_cap: int) -> np.ndarray:
    """Orders per customer: `one_share` buy once, a geometric repeat tail, and `heavy` customers in range."""
    counts = np.ones(n, dtype=np.int64)
    repeat = rng.random(n) >= one_share
    counts[repeat] = np.minimum(1 + rng.geometric(repeat_p, int(repeat.sum())), repeat_cap)
    heavy_idx = rng.choice(np.flatnonzero(repeat), size=heavy, replace=False)
    counts[heavy_idx] = rng.integers(heavy_range[0], heavy_range[1] + 1, size=heavy)
    return counts


def _day_weights(special: dict[dt.date, float], dow_boost: dict[int, float]) -> np.ndarray:
    """Relative order volume per day of the window: slow growth, weekday effect, campaign days."""
    days = [START.date() + dt.timedelta(days=i) for i in range(DAYS)]
    w = np.linspace(1.0, 1.45, DAYS)
    for i, d in enumerate(days):
        w[i] *= dow_boost.get(d.weekday(), 1.0) * special.get(d, 1.0)
    return w / w.sum()


def _sample_days(rng: Rng, weights: np.ndarray, lo: int, hi: int, k: int) -> np.ndarray:
    """k day indices in [lo, hi] drawn by the day weights, sorted."""
    w = weights[lo:hi + 1]
    return np.sort(lo + rng.choice(len(w), size=k, p=w / w.sum()))


def _money(x: float) -> float:
    return float(round(x + 1e-9, 2))


# ---------------------------------------------------------------------------------------------------------
# Tmall 卖家中心 订单报表 (xlsx)
# ---------------------------------------------------------------------------------------------------------

TMALL_HEADERS: tuple[str, ...] = (
    "订单编号", "买家会员名", "买家支付宝账号", "买家应付货款", "买家应付邮费", "买家支付积分",
    "总金额", "返点积分", "买家实际支付金额", "买家实际支付积分", "订单状态", "买家留言",
    "收货人姓名", "收货地址 ", "运送方式", "联系电话 ", "联系手机", "订单创建时间", "订单付款时间 ",
    "宝贝标题 ", "宝贝种类 ", "物流单号 ", "物流公司", "订单备注", "宝贝总数量", "店铺Id", "店铺名称",
    "订单关闭原因", "卖家服务费", "买家服务费", "发票抬头", "是否手机订单", "分阶段订单信息",
    "特权订金订单id", "是否上传合同照片", "是否上传小票", "是否代付", "定金排名", "修改后的sku",
    "修改后的收货地址", "异常信息", "天猫卡券抵扣", "集分宝抵扣", "是否是O2O交易", "退款金额",
    "预约门店", "商品类目",
)
TMALL_MONEY = ("买家应付货款", "买家应付邮费", "总金额", "买家实际支付金额", "天猫卡券抵扣", "集分宝抵扣",
               "退款金额", "卖家服务费")
TMALL_SHOP = "悦享优品生活专营店"

ST_DONE = "交易成功"
ST_WAIT_SHIP = "买家已付款，等待卖家发货"
ST_SHIPPED = "卖家已发货，等待买家确认"
ST_UNPAID = "等待买家付款"
ST_CLOSED = "交易关闭"
ST_TB_CLOSED = "交易被淘宝关闭"

# province, weight, [(city, postcode prefix, districts)]
PROVINCES: tuple[tuple[str, float, tuple[tuple[str, str, tuple[str, ...]], ...]], ...] = (
    ("广东省", 12, (("广州市", "510", ("天河区", "越秀区", "海珠区", "白云区")),
                   ("深圳市", "518", ("南山区", "福田区", "宝安区", "龙岗区")),
                   ("佛山市", "528", ("禅城区", "南海区", "顺德区")))),
    ("浙江省", 9, (("杭州市", "310", ("西湖区", "拱墅区", "余杭区", "滨江区")),
                  ("宁波市", "315", ("鄞州区", "海曙区")), ("温州市", "325", ("鹿城区", "瓯海区")))),
    ("江苏省", 9, (("南京市", "210", ("建邺区", "鼓楼区", "江宁区")),
                  ("苏州市", "215", ("姑苏区", "吴中区", "相城区")),
                  ("无锡市", "214", ("梁溪区", "滨湖区")))),
    ("上海", 6, (("上海市", "200", ("浦东新区", "徐汇区", "闵行区", "静安区")),)),
    ("北京", 5, (("北京市", "100", ("朝阳区", "海淀区", "丰台区", "东城区")),)),
    ("山东省", 6, (("济南市", "250", ("历下区", "槐荫区")),
                  ("青岛市", "266", ("市南区", "崂山区", "黄岛区")))),
    ("河南省", 5, (("郑州市", "450", ("金水区", "二七区", "中原区")),
                  ("洛阳市", "471", ("洛龙区", "西工区")))),
    ("四川省", 5, (("成都市", "610", ("武侯区", "锦江区", "青羊区", "双流区")),
                  ("绵阳市", "621", ("涪城区",)))),
    ("湖北省", 4, (("武汉市", "430", ("洪山区", "江汉区", "武昌区")), ("宜昌市", "443", ("西陵区",)))),
    ("湖南省", 4, (("长沙市", "410", ("岳麓区", "天心区", "雨花区")), ("株洲市", "412", ("天元区",)))),
    ("福建省", 4, (("福州市", "350", ("鼓楼区", "仓山区")), ("厦门市", "361", ("思明区", "湖里区")))),
    ("安徽省", 3.5, (("合肥市", "230", ("蜀山区", "包河区", "瑶海区")), ("芜湖市", "241", ("镜湖区",)))),
    ("河北省", 3.5, (("石家庄市", "050", ("长安区", "裕华区")), ("保定市", "071", ("竞秀区",)))),
    ("陕西省", 3, (("西安市", "710", ("雁塔区", "碑林区", "未央区")),)),
    ("辽宁省", 3, (("沈阳市", "110", ("和平区", "浑南区")), ("大连市", "116", ("沙河口区", "甘井子区")))),
    ("重庆", 3, (("重庆市", "400", ("渝中区", "江北区", "渝北区", "沙坪坝区")),)),
    ("天津", 2.5, (("天津市", "300", ("和平区", "南开区", "滨海新区")),)),
    ("江西省", 2.5, (("南昌市", "330", ("东湖区", "红谷滩区")),)),
    ("广西壮族自治区", 2.5, (("南宁市", "530", ("青秀区", "西乡塘区")), ("桂林市", "541", ("七星区",)))),
    ("云南省", 2.5, (("昆明市", "650", ("五华区", "盘龙区", "官渡区")),)),
    ("山西省", 2, (("太原市", "030", ("小店区", "迎泽区")),)),
    ("黑龙江省", 2, (("哈尔滨市", "150", ("南岗区", "道里区")),)),
    ("吉林省", 1.5, (("长春市", "130", ("朝阳区", "南关区")),)),
    ("贵州省", 1.5, (("贵阳市", "550", ("观山湖区", "云岩区")),)),
    ("内蒙古自治区", 1, (("呼和浩特市", "010", ("赛罕区", "新城区")),)),
    ("甘肃省", 1, (("兰州市", "730", ("城关区", "七里河区")),)),
    ("海南省", 1, (("海口市", "570", ("龙华区", "美兰区")), ("三亚市", "572", ("吉阳区",)))),
    ("新疆维吾尔自治区", 0.8, (("乌鲁木齐市", "830", ("天山区", "沙依巴克区")),)),
    ("宁夏回族自治区", 0.5, (("银川市", "750", ("兴庆区", "金凤区")),)),
    ("青海省", 0.4, (("西宁市", "810", ("城中区", "城西区")),)),
    ("西藏自治区", 0.2, (("拉萨市", "850", ("城关区",)),)),
)
REMOTE = {"新疆维吾尔自治区", "西藏自治区", "青海省", "宁夏回族自治区", "内蒙古自治区", "甘肃省", "海南省"}
STREETS = tuple("人民路 解放路 中山路 建设路 和平路 新华路 文化路 长江路 黄河路 学府路 科技路"
                " 幸福路 光明路 青年路 迎宾大道 滨江路 朝阳路 育才路 东风路 金融街".split())
ESTATES = tuple("阳光花园 翠湖小区 锦绣家园 金色港湾 世纪新城 碧桂园 万科城 丽景苑 香樟苑"
                " 龙湖春江郦城".split())

# category -> (median order value, titles)
CATEGORIES: dict[str, tuple[float, tuple[str, ...]]] = {
    "美妆": (170, ("玻尿酸补水保湿精华液30ml 淡化细纹 提亮肤色", "持妆粉底液 控油遮瑕 干皮油皮适用",
                   "丝绒哑光口红 显白不拔干 多色可选", "十二色眼影盘 大地色 日常通勤",
                   "卸妆水 温和无刺激 500ml", "清爽防晒霜SPF50+ PA++++ 户外军训")),
    "服饰": (150, ("秋季新款 纯棉宽松长袖T恤 男女同款", "高腰直筒牛仔裤 显瘦百搭 九分裤",
                   "轻薄羽绒服 短款 90白鸭绒 保暖外套", "针织开衫 慵懒风 春秋薄款毛衣",
                   "法式复古碎花连衣裙 收腰显瘦", "连帽卫衣 加绒加厚 情侣款")),
    "食品": (65, ("每日坚果 混合果仁 30包/盒", "云南小粒咖啡 挂耳咖啡 黑咖啡 50片",
                  "新疆和田骏枣 特级红枣 1kg", "内蒙古风干牛肉干 手撕 500g 独立包装",
                  "五常大米 稻花香 5kg 当季新米", "低糖即食燕麦片 无蔗糖 1kg")),
    "母婴": (140, ("婴儿纸尿裤 L码 100片 超薄透气", "宝宝奶瓶 宽口径 PPSU 防胀气 240ml",
                   "婴儿手口湿巾 80抽×10包", "儿童保温吸管杯 316不锈钢", "新生儿连体衣 纯棉 四季款",
                   "婴儿推车 轻便折叠 可坐可躺")),
    "家居": (120, ("全棉四件套 被套床单 1.8m床", "记忆棉枕头 护颈椎 慢回弹 单只装",
                   "北欧风陶瓷餐具套装 碗碟盘", "加厚收纳箱 衣物整理箱 3个装", "全遮光窗帘 卧室 免打孔",
                   "大豆蜡香薰蜡烛 无烟 伴手礼")),
    "数码": (320, ("真无线蓝牙耳机 主动降噪 超长续航", "65W氮化镓充电器 多口快充", "机械键盘 热插拔 RGB背光",
                   "智能手表 心率血氧监测 运动防水", "20000毫安移动电源 超薄快充",
                   "轻薄笔记本电脑 16英寸 32G+1T")),
    "个护": (80, ("声波电动牙刷 成人 软毛", "无硅油洗发水 控油蓬松 500ml", "香氛沐浴露 持久留香 1L",
                  "男士电动剃须刀 全身水洗", "保湿护手霜 礼盒装", "美白牙膏 家庭装 4支")),
    "运动": (160, ("加厚防滑瑜伽垫 健身垫", "轻便缓震跑步鞋 透气网面", "可调节哑铃 家用健身器材",
                   "速干运动T恤 短袖 透气", "计数跳绳 专业钢丝 减脂", "户外双肩登山包 40L 防水")),
}
TITLE_PREFIX = ("【官方正品】", "【顺丰包邮】", "【买2送1】", "【新品首发】")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华玉萍红玲芬燕彬鑫斌宇浩凯瑶欣怡晨轩子涵梓萱"
NICK_ADJ = tuple("快乐的 安静的 爱吃鱼的 会飞的 不吃香菜的 温柔的 迷糊的 酷酷的 爱笑的 慢吞吞的".split())
NICK_NOUN = tuple("小猪 猫 向日葵 小太阳 兔子 柠檬 考拉 棉花糖 鲸鱼 橘子 星星 小熊".split())
PINYIN = tuple("xiaomei zhangwei lili chenxi wangfang liuyang yuyu tangtang xiaoyu haohao mengmeng dandan"
               " jiajia lele kaixin xiaoxiao aiai ningning feifei junjun".split())
MIXED = ("{}宝贝", "小{}酱", "{}的小窝", "喵小姐{}", "{}家的猫", "阿{}")
ENGLISH = ("Lily", "Coco", "Amy", "Kiki", "Jason", "Kevin", "Tony", "Vivian", "Yoyo", "Lucky")
MAIL_DOMAINS = ("163.com", "qq.com", "126.com", "sina.com", "hotmail.com", "139.com")
PHONE_PREFIX = tuple("138 139 136 135 158 159 150 186 187 188 177 199 152 131".split())
CARRIERS: dict[str, float] = {"顺丰速运": 0.25, "中通快递": 0.25, "圆通速递": 0.2, "韵达快递": 0.15,
                               "申通快递": 0.1, "EMS": 0.05}
BUYER_MESSAGES = ("请发顺丰，谢谢", "尽快发货，急用", "送人的，不要放价格单", "周末不在家，请工作日送达",
                  "麻烦检查一下再发", "备注：要粉色")
SELLER_NOTES = ("已备注赠品", "老客户，送小样", "缺货，已联系买家", "换发中通")
TMALL_SPECIAL_NICKS = ("=糖果屋=", "-小雨点-", "@阿杰Jay", "000123")
FULL_REFUND_CLOSE = "退款"
UNPAID_CLOSE_REASONS: dict[str, float] = {"买家未付款": 0.75, "买家不想买了": 0.15, "其他原因": 0.1}


@dataclass
class TmallBuyer:
    nick: str
    alipay: str
    name: str
    mobile: str
    address: str
    province: str
    category: str
    coupon_p: float


def _tmall_nick(rng: Rng, seen: set[str]) -> str:
    while True:
        kind = rng.random()
        if kind < 0.22:
            nick = f"tb{rng.integers(10**7, 10**11)}"
            if rng.random() < 0.3:
                nick += f"_{rng.integers(2009, 2024)}"
        elif kind < 0.52:
            nick = _pick(rng, PINYIN) + _pick(rng, ("", "_", "")) + str(_pick(rng, (
                rng.integers(1970, 2010), rng.integers(1, 999), 520, 666, 888)))
        elif kind < 0.8:
            nick = _pick(rng, NICK_ADJ) + _pick(rng, NICK_NOUN)
            if rng.random() < 0.5:
                nick += str(rng.integers(1, 2025))
        else:
            nick = _pick(rng, MIXED).format(_pick(rng, (*ENGLISH, "y", "豆豆", "果果")))
            if rng.random() < 0.4:
                nick += str(rng.integers(10, 100))
        if nick not in seen:
            seen.add(nick)
            return nick


def _tmall_alipay(rng: Rng) -> str:
    if rng.random() < 0.6:
        return f"{_pick(rng, PHONE_PREFIX)}****{rng.integers(0, 10000):04d}"
    letters = "".join(chr(97 + int(c)) for c in rng.integers(0, 26, 2))
    return f"{letters}***@{_pick(rng, MAIL_DOMAINS)}"


def _tmall_address(rng: Rng) -> tuple[str, str]:
    prov, _, cities = _pick(rng, PROVINCES, [p[1] for p in PROVINCES])
    city, postcode, districts = _pick(rng, cities)
    street = f"{_pick(rng, STREETS)}{rng.integers(1, 999)}号"
    if rng.random() < 0.6:
        floor, unit = rng.integers(1, 33), rng.integers(1, 5)
        street += f"{_pick(rng, ESTATES)}{rng.integers(1, 30)}栋{rng.integers(1, 6)}单元{floor}0{unit}室"
    return prov, f"{prov} {city} {_pick(rng, districts)} {street}({postcode}{rng.integers(0, 1000):03d})"


def _tmall_buyers(rng: Rng, n: int) -> list[TmallBuyer]:
    seen: set[str] = set(TMALL_SPECIAL_NICKS)
    cats = list(CATEGORIES)
    buyers = []
    for i in range(n):
        nick = TMALL_SPECIAL_NICKS[i] if i < len(TMALL_SPECIAL_NICKS) else _tmall_nick(rng, seen)
        prov, address = _tmall_address(rng)
        name = _pick(rng, SURNAMES) + "".join(_pick(rng, GIVEN) for _ in range(int(rng.integers(1, 3))))
        mobile = f"{_pick(rng, PHONE_PREFIX)}****{rng.integers(0, 10000):04d}"
        sensitive = rng.random() < 0.25
        buyers.append(TmallBuyer(nick, _tmall_alipay(rng), name, mobile, address, prov,
                                 _pick(rng, cats, (1.4, 1.2, 1.0, 0.8, 0.9, 0.7, 0.8, 0.6)),
                                 0.85 if sensitive else 0.17))
    return buyers


def _tmall_calendar() -> np.ndarray:
    special: dict[dt.date, float] = {}
    for y in (2024, 2025, 2026):
        for d in range(1, 11):
            special[dt.date(y, 11, d)] = 1.8
        special[dt.date(y, 11, 11)] = 9.0
        special[dt.date(y, 11, 12)] = 2.0
        special[dt.date(y, 12, 12)] = 3.0
        for d in range(1, 18):
            special[dt.date(y, 6, d)] = 1.5
        special[dt.date(y, 6, 18)] = 5.0
    for cny in (dt.date(2025, 1, 29), dt.date(2026, 2, 17)):
        for k in range(-7, 9):
            special[cny + dt.timedelta(days=k)] = 0.45
    return _day_weights(special, {5: 1.12, 6: 1.15})


HOUR_WEIGHTS = np.array([2, 1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 3, 4, 4, 4, 4, 4, 4, 4, 3.5, 3, 4, 6, 7, 6, 4],
                        dtype=float)


def _tmall_times(rng: Rng, day: int) -> tuple[dt.datetime, dt.datetime]:
    date = START + dt.timedelta(days=int(day))
    if (date.month, date.day) == (11, 11) and rng.random() < 0.35:
        hour = 0
    else:
        hour = int(rng.choice(24, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum()))
    created = date + dt.timedelta(hours=hour, minutes=int(rng.integers(60)), seconds=int(rng.integers(60)))
    paid = created + dt.timedelta(seconds=int(3 + rng.exponential(110)))
    return created, min(paid, END)


def _tmall_order_id(rng: Rng, seen: set[str]) -> str:
    while True:
        digits = int(_pick(rng, (19, 18, 17), (0.75, 0.2, 0.05)))
        oid = str(int(rng.integers(1, 5))) + "".join(str(d) for d in rng.integers(0, 10, digits - 1))
        if oid not in seen:
            seen.add(oid)
            return oid


def _tmall_goods(rng: Rng, category: str) -> tuple[list[tuple[str, float, int]], float]:
    """Items (title, unit price, quantity) of one order and the goods total."""
    median, titles = CATEGORIES[category]
    if rng.random() < 0.003:
        value = float(rng.uniform(10_000, 26_000))
        category_titles: Sequence[str] = titles[-1:] if category == "数码" else titles
    else:
        value = float(np.clip(rng.lognormal(np.log(median), 0.8), 9.9, 9_500))
        category_titles = titles
    kinds = int(_pick(rng, (1, 2, 3), (0.85, 0.12, 0.03)))
    picked = rng.choice(len(category_titles), size=min(kinds, len(category_titles)), replace=False)
    shares = rng.dirichlet(np.full(len(picked), 3.0))
    items = []
    for idx, share in zip(picked, shares, strict=True):
        qty = int(_pick(rng, (1, 2, 3, 4, 5, 10), (0.76, 0.14, 0.05, 0.02, 0.02, 0.01)))
        unit = max(value * share / qty, 5.9)
        unit = float(np.floor(unit)) + (0.9 if rng.random() < 0.45 else 0.0)
        title = category_titles[int(idx)]
        if rng.random() < 0.2:
            title = _pick(rng, TITLE_PREFIX) + title
        items.append((title, _money(unit), qty))
    return items, _money(sum(u * q for _, u, q in items))


def _tmall_coupon(rng: Rng, total: float) -> float:
    for threshold, off in ((999, 100), (499, 50), (299, 30), (199, 20), (99, 10), (39, 5)):
        if total >= threshold:
            return float(off if rng.random() < 0.7 else _pick(rng, (3, 5, 10, off)))
    return 0.0


def _tmall_schedule(rng: Rng, counts: np.ndarray, weights: np.ndarray) -> list[tuple[int, int]]:
    """(buyer index, day index) for every order; repeat buyers get an active span, sleepers stop early."""
    plan: list[tuple[int, int]] = []
    last = DAYS - 1
    for b, k in enumerate(counts):
        if k == 1:
            days = _sample_days(rng, weights, 0, last, 1)
        elif k >= 10:
            days = _sample_days(rng, weights, int(rng.integers(0, 200)), last, int(k))
        elif rng.random() < 0.1:  # sleeper: bought several times in the first year, then stopped
            lo = int(rng.integers(0, 200))
            days = _sample_days(rng, weights, lo, min(lo + int(rng.integers(60, 240)), 400), int(k))
        else:
            # a buying spell of k orders that may begin before or end after the window: only the part
            # inside is exported, so a repeat buyer can show up with a single order
            span = max(float(k - 1) * rng.lognormal(np.log(60), 0.6), 30.0)
            while True:
                begin = rng.uniform(-span, last)
                spell = np.sort(begin + rng.uniform(0, span, int(k)))
                days = spell[(spell >= 0) & (spell <= last)].astype(np.int64)
                if len(days):
                    break
        plan.extend((b, int(d)) for d in days)
    return plan


def make_tmall(path: Path, rng: Rng) -> dict[str, Any]:
    """Write the Tmall 订单报表 workbook; return its counts for the README."""
    n_buyers = 1500
    counts = _purchase_counts(rng, n_buyers, one_share=0.55, heavy=20, heavy_range=(10, 30),
                              repeat_p=0.36, repeat_cap=9)
    counts[: len(TMALL_SPECIAL_NICKS)] = (2, 3, 1, 4)
    buyers = _tmall_buyers(rng, n_buyers)
    weights = _tmall_calendar()
    plan = _tmall_schedule(rng, counts, weights)
    special_first = set(range(len(TMALL_SPECIAL_NICKS)))  # their first order is a plain 交易成功

    seen_ids: set[str] = set()
    rows: list[dict[str, Any]] = []
    cats = list(CATEGORIES)
    for b, day in plan:
        buyer = buyers[b]
        created, paid = _tmall_times(rng, day)
        category = buyer.category if rng.random() < 0.7 else _pick(rng, cats)
        items, goods = _tmall_goods(rng, category)
        postage = 0.0
        if goods < 59 and rng.random() < 0.6:
            postage = float(_pick(rng, (5, 6, 8, 10)))
        elif buyer.province in REMOTE and rng.random() < 0.5:
            postage = float(_pick(rng, (10, 12, 15, 20)))
        total = _money(goods + postage)
        coupon = _tmall_coupon(rng, total) if rng.random() < buyer.coupon_p else 0.0
        jfb = _money(rng.uniform(0.1, 5)) if rng.random() < 0.03 else 0.0
        paid_amount = _money(total - coupon - jfb)

        u = rng.random()
        status, close_reason, refund = ST_DONE, "订单未关闭", 0.0
        pay_time: dt.datetime | None = paid
        if b in special_first:
            special_first.discard(b)
        elif u < 0.045:
            reason = _pick(rng, tuple(UNPAID_CLOSE_REASONS), tuple(UNPAID_CLOSE_REASONS.values()))
            status, close_reason, pay_time = ST_CLOSED, reason, None
        elif u < 0.048:
            status, close_reason, pay_time = ST_TB_CLOSED, "其他原因", None
        elif u < 0.056:
            refund = paid_amount
            if rng.random() < 0.67:
                status, close_reason = ST_CLOSED, FULL_REFUND_CLOSE
        elif u < 0.11:
            refund = _money(paid_amount * rng.uniform(0.1, 0.7))
        if status == ST_DONE and refund == 0.0 and pay_time is not None:
            age = (END - pay_time).total_seconds() / 86400
            if age < 2.5 and rng.random() < 0.85:
                status = ST_WAIT_SHIP
            elif age < 10 and rng.random() < 0.85:
                status = ST_SHIPPED
        rows.append(_tmall_row(rng, seen_ids, buyer, category, items, goods, postage, total, paid_amount,
                               coupon, jfb, refund, status, close_reason, created, pay_time))

    for _ in range(6):  # placed in the last day and still waiting for payment
        b = int(rng.integers(len(TMALL_SPECIAL_NICKS), n_buyers))
        created, _ = _tmall_times(rng, DAYS - 1)
        category = buyers[b].category
        items, goods = _tmall_goods(rng, category)
        rows.append(_tmall_row(rng, seen_ids, buyers[b], category, items, goods, 0.0, goods, goods,
                               0.0, 0.0, 0.0, ST_UNPAID, "订单未关闭", created, None))

    bad = _tmall_bad_rows(rng, seen_ids, buyers, counts)
    rows.sort(key=lambda r: r["订单创建时间"], reverse=True)
    for row in bad:
        rows.insert(int(rng.integers(0, len(rows))), row)

    _write_tmall_xlsx(path, rows)
    return _tmall_stats(rows, bad), rows


EVENT_DAYS = 92  # the behaviour log covers the last three months, as shop analytics keep them
EVENT_HEADER = ("买家会员名", "行为时间", "行为", "商品", "类目")


def _event(nick: str, when: dt.datetime, what: str, title: str, category: str) -> tuple[str, ...]:
    return nick, when.strftime("%Y-%m-%d %H:%M:%S"), what, title, category


def make_tmall_events(path: Path, orders: Sequence[dict[str, Any]], rng: Rng) -> dict[str, Any]:
    """Write a behaviour log of the Tmall shop's last three months (浏览, 收藏, 加购, 购买 by 买家会员名, with the
    product title and category): the paid orders' items viewed, sometimes favourited and carted before the payment
    and bought at it; returning buyers browsing without buying; visitors who only browsed; four bad rows. Returns
    its counts for the README."""
    start = END - dt.timedelta(days=EVENT_DAYS)
    last = max(dt.datetime.strptime(r["订单付款时间 "], "%Y-%m-%d %H:%M:%S") for r in orders
               if r["订单付款时间 "] and not r["订单付款时间 "].startswith("2026-13"))  # the run's as_of
    events: list[tuple[str, ...]] = []
    nicks: list[str] = []
    for row in orders:
        nick, paid = row["买家会员名"], row["订单付款时间 "]
        if not nick or not paid or paid.startswith("2026-13"):
            continue
        when = dt.datetime.strptime(paid, "%Y-%m-%d %H:%M:%S")
        nicks.append(nick)
        if when < start:
            continue
        category = row["商品类目"]
        for title in row["宝贝标题 "].split("，"):
            for _ in range(int(rng.integers(1, 5))):
                events.append(_event(nick, when - dt.timedelta(hours=float(rng.uniform(0.2, 72))), "浏览", title,
                                     category))
            if rng.random() < 0.3:
                events.append(_event(nick, when - dt.timedelta(hours=float(rng.uniform(0.1, 48))), "收藏", title,
                                     category))
            if rng.random() < 0.6:
                events.append(_event(nick, when - dt.timedelta(minutes=float(rng.uniform(2, 600))), "加购", title,
                                     category))
            events.append(_event(nick, when, "购买", title, category))
    cats = list(CATEGORIES)

    def browse(nick: str, visits: int, beauty: bool) -> None:
        for _ in range(visits):
            category = "美妆" if beauty and rng.random() < 0.8 else _pick(rng, cats)
            title = _pick(rng, CATEGORIES[category][1])
            when = last - dt.timedelta(minutes=float(rng.uniform(31, 60 * 24 * 60)))
            events.append(_event(nick, when, "浏览", title, category))
            if rng.random() < 0.15:
                events.append(_event(nick, when + dt.timedelta(minutes=float(rng.uniform(1, 30))), "加购", title,
                                     category))

    returning = sorted(set(nicks))
    for k in rng.choice(len(returning), size=min(300, len(returning)), replace=False):
        heavy = rng.random() < 0.08  # a few compare a lot before they buy again, if ever
        browse(returning[int(k)], int(rng.integers(20, 41) if heavy else rng.integers(1, 9)), rng.random() < 0.3)
    seen = set(returning)
    visitors = [_tmall_nick(rng, seen) for _ in range(250)]
    for nick in visitors:
        browse(nick, int(rng.integers(1, 11)), rng.random() < 0.35)
    title = CATEGORIES["美妆"][1][0]
    bad = [_event("", last - dt.timedelta(days=3), "浏览", title, "美妆"),
           _event("", last - dt.timedelta(days=2), "加购", title, "美妆"),
           _event(visitors[0], last - dt.timedelta(days=1), "分享", title, "美妆"),
           _event(visitors[1], last + dt.timedelta(days=2), "浏览", title, "美妆")]
    events.sort(key=lambda e: e[1])
    for row in bad:
        events.insert(int(rng.integers(0, len(events))), row)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(EVENT_HEADER)
        writer.writerows(events)
    good = [e for e in events if e not in bad]
    kinds = {k: sum(1 for e in good if e[2] == k) for k in ("浏览", "收藏", "加购", "购买")}
    return {"rows": len(events), "kinds": kinds, "people": len({e[0] for e in good}), "visitors": len(visitors),
            "first": min(e[1] for e in good), "last": max(e[1] for e in good)}


def _tmall_row(rng: Rng, seen_ids: set[str], buyer: TmallBuyer, category: str,
               items: list[tuple[str, float, int]], goods: float, postage: float, total: float,
               paid_amount: float, coupon: float, jfb: float, refund: float, status: str, close_reason: str,
               created: dt.datetime, pay_time: dt.datetime | None) -> dict[str, Any]:
    shipped = status in (ST_DONE, ST_SHIPPED) and not (status == ST_DONE and refund == paid_amount
                                                      and rng.random() < 0.3)
    carrier = _pick(rng, tuple(CARRIERS), tuple(CARRIERS.values())) if shipped else ""
    tracking = ""
    if shipped:
        prefix = {"顺丰速运": "SF", "中通快递": "7", "圆通速递": "YT", "韵达快递": "43", "申通快递": "77",
                  "EMS": "1"}[carrier]
        tracking = prefix + "".join(str(d) for d in rng.integers(0, 10, 15 - len(prefix)))
    unpaid = pay_time is None
    return {
        "订单编号": _tmall_order_id(rng, seen_ids),
        "买家会员名": buyer.nick,
        "买家支付宝账号": buyer.alipay,
        "买家应付货款": goods,
        "买家应付邮费": postage,
        "买家支付积分": 0,
        "总金额": total,
        "返点积分": 0,
        "买家实际支付金额": 0.0 if unpaid and status != ST_UNPAID else paid_amount,
        "买家实际支付积分": 0,
        "订单状态": status,
        "买家留言": _pick(rng, BUYER_MESSAGES) if rng.random() < 0.04 else "",
        "收货人姓名": buyer.name,
        "收货地址 ": buyer.address,
        "运送方式": "快递",
        "联系电话 ": "",
        "联系手机": buyer.mobile,
        "订单创建时间": created.strftime("%Y-%m-%d %H:%M:%S"),
        "订单付款时间 ": "" if pay_time is None else pay_time.strftime("%Y-%m-%d %H:%M:%S"),
        "宝贝标题 ": "，".join(t for t, _, _ in items),
        "宝贝种类 ": len(items),
        "物流单号 ": tracking,
        "物流公司": carrier,
        "订单备注": _pick(rng, SELLER_NOTES) if rng.random() < 0.02 else "",
        "宝贝总数量": sum(q for _, _, q in items),
        "店铺Id": 0,
        "店铺名称": TMALL_SHOP,
        "订单关闭原因": close_reason,
        "卖家服务费": 0.0,
        "买家服务费": "0元",
        "发票抬头": _pick(rng, ("个人", "杭州某某科技有限公司")) if rng.random() < 0.03 else "",
        "是否手机订单": "手机订单" if rng.random() < 0.9 else "",
        "是否上传合同照片": "否",
        "是否上传小票": "否",
        "是否代付": "否",
        "天猫卡券抵扣": coupon if coupon > 0 else None,
        "集分宝抵扣": jfb if jfb > 0 else None,
        "退款金额": refund,
        "商品类目": category,
    }


def _tmall_bad_rows(rng: Rng, seen_ids: set[str], buyers: list[TmallBuyer],
                    counts: np.ndarray) -> list[dict[str, Any]]:
    """Three rows a reader must exclude: bad payment date, non-numeric amount, no buyer at all."""
    repeaters = np.flatnonzero(counts >= 3)
    bad = []
    for kind in ("bad_date", "bad_amount", "missing_customer"):
        b = int(rng.choice(repeaters))
        category = buyers[b].category
        items, goods = _tmall_goods(rng, category)
        created, paid = _tmall_times(rng, int(rng.integers(100, DAYS - 20)))
        row = _tmall_row(rng, seen_ids, buyers[b], category, items, goods, 0.0, goods, goods, 0.0, 0.0, 0.0,
                         ST_DONE, "订单未关闭", created, paid)
        if kind == "bad_date":
            row["订单付款时间 "] = "2026-13-45 10:00:00"
        elif kind == "bad_amount":
            row["买家实际支付金额"] = "abc"
        else:
            row["买家会员名"] = ""
            row["买家支付宝账号"] = ""
        row["_bad"] = kind
        bad.append(row)
    return bad


def _write_tmall_xlsx(path: Path, rows: list[dict[str, Any]]) -> None:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                         "strings_to_urls": False})
    wb.set_properties({"created": dt.datetime(2026, 11, 1, 9, 30, 0), "author": ""})
    ws = wb.add_worksheet("订单报表")
    money = wb.add_format({"num_format": "0.00"})
    for c, h in enumerate(TMALL_HEADERS):
        ws.write_string(0, c, h)
    for r, row in enumerate(rows, start=1):
        for c, h in enumerate(TMALL_HEADERS):
            v = row.get(h)
            if v is None or v == "":
                continue
            if isinstance(v, str):
                ws.write_string(r, c, v)
            elif h in TMALL_MONEY:
                ws.write_number(r, c, v, money)
            else:
                ws.write_number(r, c, v)
    ws.freeze_panes(1, 0)
    wb.close()


def _tmall_stats(rows: list[dict[str, Any]], bad: list[dict[str, Any]]) -> dict[str, Any]:
    status = Counter(r["订单状态"] for r in rows if "_bad" not in r)
    good = [r for r in rows if "_bad" not in r]
    counted = [r for r in good if r["订单状态"] in (ST_DONE, ST_WAIT_SHIP, ST_SHIPPED)
               and r["退款金额"] < r["买家实际支付金额"]]
    per_buyer = Counter(r["买家会员名"] for r in good)
    return {
        "rows": len(rows),
        "orders": len({r["订单编号"] for r in rows}),
        "customers": len({r["买家会员名"] for r in rows if r["买家会员名"]}),
        "status": dict(status.most_common()),
        "counted_orders": len(counted),
        "counted_customers": len({r["买家会员名"] for r in counted}),
        "one_order_customers": sum(1 for v in per_buyer.values() if v == 1),
        "max_orders": max(per_buyer.values()),
        "heavy": sum(1 for v in per_buyer.values() if v >= 10),
        "coupon_orders": sum(1 for r in good if r["天猫卡券抵扣"]),
        "partial_refunds": sum(1 for r in good if 0 < r["退款金额"] < r["买家实际支付金额"]),
        "full_refunds": sum(1 for r in good if r["退款金额"] and r["退款金额"] == r["买家实际支付金额"]),
        "over_10k": sum(1 for r in good if r["买家实际支付金额"] >= 10_000),
        "first": min(r["订单创建时间"] for r in rows),
        "last": max(r["订单创建时间"] for r in rows),
        "bad": [(r["订单编号"], r["_bad"]) for r in bad],
    }


# ---------------------------------------------------------------------------------------------------------
# Shopify orders_export_1.csv
# ---------------------------------------------------------------------------------------------------------

SHOPIFY_HEADERS: tuple[str, ...] = (
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at", "Accepts Marketing",
    "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code", "Discount Amount",
    "Shipping Method", "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price",
    "Lineitem compare at price", "Lineitem sku", "Lineitem requires shipping", "Lineitem taxable",
    "Lineitem fulfillment status", "Billing Name", "Billing Street", "Billing Address1", "Billing Address2",
    "Billing Company", "Billing City", "Billing Zip", "Billing Province", "Billing Country", "Billing Phone",
    "Shipping Name", "Shipping Street",
    "Shipping Address1", "Shipping Address2", "Shipping Company", "Shipping City", "Shipping Zip",
    "Shipping Province", "Shipping Country", "Shipping Phone", "Notes", "Note Attributes", "Cancelled at",
    "Payment Method", "Payment Reference", "Refunded Amount", "Vendor", "Outstanding Balance", "Employee",
    "Location", "Device ID", "Id", "Tags", "Risk Level", "Source", "Lineitem discount", "Tax 1 Name",
    "Tax 1 Value", "Tax 2 Name", "Tax 2 Value", "Tax 3 Name", "Tax 3 Value", "Tax 4 Name", "Tax 4 Value",
    "Tax 5 Name", "Tax 5 Value", "Phone", "Receipt Number", "Duties", "Billing Province Name",
    "Shipping Province Name", "Payment ID", "Payment Terms Name", "Next Payment Due At", "Payment References",
)
# Fields a continuation (second and later line item) row carries; everything else is empty there.
SHOPIFY_LINE_FIELDS = ("Name", "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price",
                       "Lineitem compare at price", "Lineitem sku", "Lineitem requires shipping",
                       "Lineitem taxable", "Lineitem fulfillment status", "Vendor", "Lineitem discount")
# Empty values Shopify writes as "" rather than nothing (seen in real exports).
SHOPIFY_QUOTED_EMPTY_FIRST = ("Discount Code",)
SHOPIFY_QUOTED_EMPTY_CONT = ("Lineitem compare at price",)

# state code, name, weight, sales tax %, [(city, zip prefix)]
US_STATES: tuple[tuple[str, str, float, float, tuple[tuple[str, str], ...]], ...] = (
    ("CA", "California", 12, 7.25, (("Los Angeles", "900"), ("San Diego", "921"), ("Oakland", "946"))),
    ("TX", "Texas", 9, 6.25, (("Austin", "787"), ("Houston", "770"), ("Dallas", "752"))),
    ("FL", "Florida", 7, 6.0, (("Miami", "331"), ("Orlando", "328"), ("Tampa", "336"))),
    ("NY", "New York", 6, 4.0, (("Brooklyn", "112"), ("New York", "100"), ("Buffalo", "142"))),
    ("PA", "Pennsylvania", 4, 6.0, (("Philadelphia", "191"), ("Pittsburgh", "152"))),
    ("IL", "Illinois", 4, 6.25, (("Chicago", "606"), ("Evanston", "602"))),
    ("OH", "Ohio", 3.5, 5.75, (("Columbus", "432"), ("Cleveland", "441"))),
    ("GA", "Georgia", 3.3, 4.0, (("Atlanta", "303"), ("Savannah", "314"))),
    ("NC", "North Carolina", 3.2, 4.75, (("Charlotte", "282"), ("Raleigh", "276"))),
    ("MI", "Michigan", 3, 6.0, (("Detroit", "482"), ("Grand Rapids", "495"))),
    ("NJ", "New Jersey", 2.8, 6.625, (("Jersey City", "073"), ("Newark", "071"))),
    ("VA", "Virginia", 2.6, 5.3, (("Richmond", "232"), ("Arlington", "222"))),
    ("WA", "Washington", 2.4, 6.5, (("Seattle", "981"), ("Spokane", "992"))),
    ("AZ", "Arizona", 2.2, 5.6, (("Phoenix", "850"), ("Tucson", "857"))),
    ("MA", "Massachusetts", 2.1, 6.25, (("Boston", "021"), ("Cambridge", "021"))),
    ("TN", "Tennessee", 2.1, 7.0, (("Nashville", "372"), ("Memphis", "381"))),
    ("CO", "Colorado", 1.8, 2.9, (("Denver", "802"), ("Boulder", "803"))),
    ("MN", "Minnesota", 1.7, 6.875, (("Minneapolis", "554"), ("Saint Paul", "551"))),
    ("OR", "Oregon", 1.3, 0.0, (("Portland", "972"), ("Eugene", "974"))),
    ("UT", "Utah", 1.0, 6.1, (("Salt Lake City", "841"),)),
    ("NV", "Nevada", 1.0, 6.85, (("Las Vegas", "891"), ("Reno", "895"))),
    ("DE", "Delaware", 0.3, 0.0, (("Wilmington", "198"),)),
    ("NH", "New Hampshire", 0.4, 0.0, (("Manchester", "031"),)),
    ("MT", "Montana", 0.3, 0.0, (("Missoula", "598"),)),
)
FIRST_NAMES = ("Emma", "Olivia", "Ava", "Sophia", "Mia", "Isabella", "Amelia", "Harper", "Evelyn", "Abigail",
               "Liam", "Noah", "Oliver", "Elijah", "James", "William", "Benjamin", "Lucas", "Henry", "Mateo",
               "Grace", "Chloe", "Zoe", "Nora", "Maya", "Aaliyah", "Priya", "Mei", "Sofia", "Daniel", "Ethan",
               "Jacob", "Logan", "Jackson", "Aiden", "Carlos", "Wei", "Hannah", "Leah", "Ruth")
LAST_NAMES = ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
              "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
              "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Clark", "Lewis", "Nguyen",
              "Patel", "Kim", "Chen", "Walker", "Hall", "Young", "O’Brien", "Rivera", "Cohen", "Murphy")
STREET_NAMES = ("Maple", "Oak", "Cedar", "Pine", "Elm", "Washington", "Lake", "Hill", "Sunset", "Park",
                "Main", "Church", "Highland", "Willow", "Ridge", "Meadow", "River", "Spring")
STREET_TYPES = ("St", "Ave", "Rd", "Blvd", "Ln", "Dr", "Ct")
EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com")

# name, sku, price, compare-at price (None = not on sale), vendor
PRODUCTS: tuple[tuple[str, str, float, float | None, str], ...] = (
    ("Stoneware Mug - Sage", "SBC-MUG-SAG", 24.00, None, "Saltbox Ceramics"),
    ("Stoneware Mug - Speckled White", "SBC-MUG-WHT", 24.00, None, "Saltbox Ceramics"),
    ("Ceramic Planter - White / Medium", "SBC-PLT-WHT-M", 38.00, 45.00, "Saltbox Ceramics"),
    ("Ceramic Planter - Terracotta / Large", "SBC-PLT-TER-L", 58.00, None, "Saltbox Ceramics"),
    ("Serving Bowl - Oat", "SBC-BWL-OAT", 46.00, None, "Saltbox Ceramics"),
    ("Dinner Plate Set of 4 - Charcoal", "SBC-PLS-CHR", 96.00, 120.00, "Saltbox Ceramics"),
    ("Linen Throw Pillow Cover - Oatmeal / 20x20", "NWT-PIL-OAT-20", 34.00, None, "Northwind Textiles"),
    ("Linen Throw Pillow Cover - Rust / 18x18", "NWT-PIL-RST-18", 32.00, None, "Northwind Textiles"),
    ("Waffle Knit Throw Blanket - Cream", "NWT-THR-CRM", 89.00, 110.00, "Northwind Textiles"),
    ("Stonewashed Linen Sheet Set - Queen / Natural", "NWT-SHT-Q-NAT", 229.00, None, "Northwind Textiles"),
    ("Stonewashed Linen Sheet Set - King / Slate", "NWT-SHT-K-SLT", 259.00, None, "Northwind Textiles"),
    ("Turkish Cotton Bath Towel - Sand", "NWT-TWL-SND", 42.00, None, "Northwind Textiles"),
    ("Handwoven Wool Rug - 5x8 / Ivory", "NWT-RUG-58-IVR", 640.00, 780.00, "Northwind Textiles"),
    ("Handwoven Wool Rug - 8x10 / Ivory", "NWT-RUG-810-IVR", 1250.00, None, "Northwind Textiles"),
    ("Hand-poured Soy Candle - Cedar / 8 oz", "HSC-CAN-CED-8", 28.00, None, "Hearth Supply Co"),
    ("Hand-poured Soy Candle - Fig & Vetiver / 8 oz", "HSC-CAN-FIG-8", 28.00, None, "Hearth Supply Co"),
    ("Hand-poured Soy Candle - Cedar / 16 oz", "HSC-CAN-CED-16", 44.00, None, "Hearth Supply Co"),
    ("Reed Diffuser - Sea Salt", "HSC-DIF-SEA", 36.00, 42.00, "Hearth Supply Co"),
    ("Maker’s Canvas Apron - Olive", "HSC-APR-OLV", 48.00, None, "Hearth Supply Co"),
    ("Cast Iron Skillet - 10 in", "HSC-SKL-10", 65.00, None, "Hearth Supply Co"),
    ("Walnut Cutting Board - Large", "JNP-CBD-WAL-L", 85.00, None, "Juniper & Pine"),
    ("Solid Oak Bench - 48 in", "JNP-BEN-OAK-48", 489.00, 560.00, "Juniper & Pine"),
    ("Wall Shelf - Walnut / 24 in", "JNP-SHF-WAL-24", 119.00, None, "Juniper & Pine"),
    ("Brass Candle Holder - Set of 2", "JNP-CHD-BRS-2", 39.00, None, "Juniper & Pine"),
    ("Gift Card - $50", "GIFT-50", 50.00, None, "Juniper & Pine"),
    ("Gift Card - $100", "GIFT-100", 100.00, None, "Juniper & Pine"),
)
PRODUCT_WEIGHTS = (9, 6, 6, 3, 4, 2, 7, 5, 5, 2, 1.2, 5, 0.35, 0.12, 9, 8, 5, 5, 3, 3, 3, 0.3, 2, 4, 1.5, 1)
DISCOUNT_CODES = (("WELCOME10", 0.10), ("SAVE15", 0.15), ("SPRING15", 0.15), ("HOLIDAY20", 0.20),
                  ("VIP20", 0.20), ("TAKE10", 10.0))
SHOPIFY_NOTES = ("Please leave at the side door.", "Gift - please do not include the receipt.",
                 "Could you ship this with the rest of my order?", "Buzzer 4B")
SHOPIFY_MULTILINE_NOTE = ("Gift for my sister's birthday.\n"
                          'Please add a card: "Happy birthday, Ana! Love, M."\n'
                          "No receipt in the box, thanks!")


def _us_eastern_offset(t: dt.datetime) -> str:
    """UTC offset of US Eastern time at local time t (DST: 2nd Sunday of March to 1st Sunday of November)."""
    def nth_sunday(year: int, month: int, n: int) -> dt.datetime:
        first = dt.datetime(year, month, 1, 2)
        return first + dt.timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))
    dst = nth_sunday(t.year, 3, 2) <= t < nth_sunday(t.year, 11, 1)
    return "-0400" if dst else "-0500"


def _shopify_ts(t: dt.datetime | None) -> str:
    return "" if t is None else f"{t:%Y-%m-%d %H:%M:%S} {_us_eastern_offset(t)}"


def _shopify_calendar() -> np.ndarray:
    special: dict[dt.date, float] = {}
    for y in (2024, 2025, 2026):
        thanksgiving = dt.date(y, 11, 1) + dt.timedelta(days=(3 - dt.date(y, 11, 1).weekday()) % 7 + 21)
        for k in range(-7, 12):
            special[thanksgiving + dt.timedelta(days=k)] = 1.8
        special[thanksgiving + dt.timedelta(days=1)] = 6.0  # Black Friday
        special[thanksgiving + dt.timedelta(days=4)] = 4.5  # Cyber Monday
        for d in range(1, 19):
            special[dt.date(y, 12, d)] = max(special.get(dt.date(y, 12, d), 1.0), 1.6)
        for d in range(1, 10):
            special[dt.date(y, 5, d)] = 1.4  # Mother's Day gifts
    return _day_weights(special, {6: 1.1, 0: 1.1})


@dataclass
class ShopifyCustomer:
    email: str
    phone: str
    first: str
    last: str
    state: tuple[str, str, float, float, tuple[tuple[str, str], ...]]
    city: str
    zip: str
    street: str
    address2: str
    company: str
    accepts: str
    cod: bool
    code_p: float


def _us_phone(rng: Rng) -> str:
    return f"+1{rng.integers(201, 990)}55501{rng.integers(0, 100):02d}"


def _shopify_customers(rng: Rng, n: int) -> list[ShopifyCustomer]:
    seen: set[str] = set()
    out = []
    for _ in range(n):
        first, last = _pick(rng, FIRST_NAMES), _pick(rng, LAST_NAMES)
        cod = rng.random() < 0.045
        email = ""
        if not cod:
            styles = (f"{first}.{last}", f"{first}{last[0]}", f"{first[0]}{last}", f"{first}_{last}")
            base = _pick(rng, styles).lower().replace("’", "")
            email = f"{base}@{_pick(rng, EMAIL_DOMAINS)}"
            while email in seen:
                email = f"{base}{rng.integers(1, 99)}@{_pick(rng, EMAIL_DOMAINS)}"
            seen.add(email)
        state = _pick(rng, US_STATES, [s[2] for s in US_STATES])
        city, zip3 = _pick(rng, state[4])
        out.append(ShopifyCustomer(
            email=email,
            phone=_us_phone(rng) if cod or rng.random() < 0.4 else "",
            first=first, last=last, state=state, city=city, zip=f"{zip3}{rng.integers(0, 100):02d}",
            street=f"{rng.integers(1, 9999)} {_pick(rng, STREET_NAMES)} {_pick(rng, STREET_TYPES)}",
            address2=f"Apt {rng.integers(1, 30)}{_pick(rng, 'ABCD')}" if rng.random() < 0.22 else "",
            company=_pick(rng, ("Northside Dental", "Blue Fern Studio", "Acme Events LLC"))
            if rng.random() < 0.03 else "",
            accepts="yes" if rng.random() < 0.35 else "no",
            cod=cod,
            code_p=0.7 if rng.random() < 0.2 else 0.14,
        ))
    return out


def _shopify_lines(rng: Rng) -> list[tuple[int, int]]:
    """(product index, quantity) for one order."""
    n_lines = int(_pick(rng, (1, 2, 3, 4, 5), (0.62, 0.24, 0.09, 0.035, 0.015)))
    p = np.asarray(PRODUCT_WEIGHTS, dtype=float)
    picked = rng.choice(len(PRODUCTS), size=n_lines, replace=False, p=p / p.sum())
    lines = []
    for idx in picked:
        qty = int(_pick(rng, (1, 2, 3, 4, 6), (0.82, 0.13, 0.03, 0.01, 0.01)))
        if rng.random() < 0.003:
            qty = int(rng.integers(20, 61))  # wholesale-sized order
        lines.append((int(idx), qty))
    return lines


def make_shopify(path: Path, rng: Rng) -> dict[str, Any]:
    """Write the Shopify orders export; return its counts for the README."""
    n_customers = 1230
    counts = _purchase_counts(rng, n_customers, one_share=0.6, heavy=14, heavy_range=(8, 24),
                              repeat_p=0.45, repeat_cap=7)
    customers = _shopify_customers(rng, n_customers)
    weights = _shopify_calendar()
    plan: list[tuple[int, dt.datetime]] = []
    for c, k in enumerate(counts):
        lo = int(rng.integers(0, DAYS - 1)) if k == 1 else int(rng.integers(0, DAYS - 60))
        days = _sample_days(rng, weights, 0 if k == 1 else lo, DAYS - 1, int(k))
        for d in days:
            t = START + dt.timedelta(days=int(d), seconds=int(rng.integers(6 * 3600, 86400)))
            plan.append((c, t))
    plan.sort(key=lambda x: x[1])

    multiline_at = int(rng.integers(len(plan) // 3, 2 * len(plan) // 3))
    orders: list[list[dict[str, str]]] = []
    shop_id = 11_004_512_830_000
    for i, (c, created) in enumerate(plan):
        shop_id += int(rng.integers(200_000_000, 600_000_000))
        note = SHOPIFY_MULTILINE_NOTE if i == multiline_at else (
            _pick(rng, SHOPIFY_NOTES) if rng.random() < 0.015 else "")
        vip = bool(counts[c] >= 8)
        orders.append(_shopify_order(rng, f"#{1001 + i}", shop_id, customers[c], vip, created, note))

    buf = io.StringIO(newline="")
    buf.write(",".join(SHOPIFY_HEADERS) + "\n")
    for order in reversed(orders):
        for j, line in enumerate(order):
            quoted_empty = SHOPIFY_QUOTED_EMPTY_FIRST if j == 0 else SHOPIFY_QUOTED_EMPTY_CONT
            fields = (_csv_field(line.get(h, ""), h in quoted_empty) for h in SHOPIFY_HEADERS)
            buf.write(",".join(fields) + "\n")
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")
    return _shopify_stats(orders)


def _csv_field(value: str, quote_empty: bool) -> str:
    if value == "":
        return '""' if quote_empty else ""
    if any(ch in value for ch in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _shopify_order(rng: Rng, name: str, shop_id: int, cust: ShopifyCustomer, vip: bool, created: dt.datetime,
                   note: str) -> list[dict[str, str]]:
    lines = _shopify_lines(rng)
    gross = _money(sum(PRODUCTS[p][2] * q for p, q in lines))
    code, discount = "", 0.0
    if rng.random() < cust.code_p and gross > 20:
        code, rate = _pick(rng, DISCOUNT_CODES)
        if created.month == 11 and 20 <= created.day <= 30 and rng.random() < 0.7:
            code, rate = "BFCM25", 0.25
        discount = _money(rate if rate >= 1 else gross * rate)
    subtotal = _money(gross - discount)
    method, shipping = ("Free Shipping", 0.0) if subtotal >= 75 else ("Standard Shipping", 6.95)
    if rng.random() < 0.08:
        method, shipping = "Express Shipping", 14.95
    elif rng.random() < 0.02:
        method, shipping = "Local Pickup", 0.0
    st_code, st_name, _, rate_pct, _ = cust.state
    taxes = _money(subtotal * rate_pct / 100)
    total = _money(subtotal + shipping + taxes)

    age_days = (END - created).total_seconds() / 86400
    payment_method = "Cash on Delivery (COD)" if cust.cod else _pick(rng, ("shopify_payments", "paypal"),
                                                                        (0.8, 0.2))
    paid_at: dt.datetime | None = created + dt.timedelta(seconds=int(rng.integers(0, 3)))
    cancelled_at: dt.datetime | None = None
    refunded = 0.0
    u = rng.random()
    if cust.cod:
        status = "pending" if age_days < 7 else "paid"
        paid_at = None if status == "pending" else created + dt.timedelta(days=float(rng.uniform(2, 6)))
    elif u < 0.015:
        status, paid_at = "voided", None
        if rng.random() < 0.65:
            cancelled_at = min(created + dt.timedelta(minutes=float(rng.uniform(5, 600))), END)
    elif u < 0.025:
        status, paid_at, payment_method = "pending", None, "Bank Deposit"
    elif u < 0.055:
        status, refunded = "refunded", total
        if rng.random() < 0.4:
            cancelled_at = min(created + dt.timedelta(hours=float(rng.uniform(0.5, 30))), END)
    elif u < 0.095:
        status = "partially_refunded"
        refunded = _money(min(total * rng.uniform(0.1, 0.7), total - 0.01))
    else:
        status = "paid"
    fulfilled = paid_at is not None and cancelled_at is None and age_days > 3
    fulfilled_at = None
    if fulfilled and paid_at is not None:
        fulfilled_at = max(paid_at, created + dt.timedelta(days=float(rng.uniform(0.3, 3))))
        if cust.cod:
            fulfilled_at, paid_at = paid_at - dt.timedelta(days=float(rng.uniform(1, 2))), paid_at
    tag_list = ["VIP"] if vip else []
    if any(q >= 20 for _, q in lines):
        tag_list.append("wholesale")
    ref = f"{name}.{2 if rng.random() < 0.05 else 1}"
    order_phone = cust.phone if cust.cod or (cust.phone and rng.random() < 0.3) else ""
    bill_name = f"{cust.first} {cust.last}"
    first: dict[str, str] = {
        "Email": cust.email, "Financial Status": status, "Paid at": _shopify_ts(paid_at),
        "Fulfillment Status": "fulfilled" if fulfilled else "unfulfilled",
        "Fulfilled at": _shopify_ts(fulfilled_at), "Accepts Marketing": cust.accepts, "Currency": "USD",
        "Subtotal": f"{subtotal:.2f}", "Shipping": f"{shipping:.2f}", "Taxes": f"{taxes:.2f}",
        "Total": f"{total:.2f}", "Discount Code": code, "Discount Amount": f"{discount:.2f}",
        "Shipping Method": method,
        "Billing Name": bill_name, "Billing Street": cust.street, "Billing Address1": cust.street,
        "Billing Address2": cust.address2, "Billing Company": cust.company, "Billing City": cust.city,
        "Billing Zip": cust.zip, "Billing Province": st_code, "Billing Country": "US",
        "Billing Phone": cust.phone,
        "Shipping Name": bill_name, "Shipping Street": cust.street, "Shipping Address1": cust.street,
        "Shipping Address2": cust.address2, "Shipping Company": cust.company, "Shipping City": cust.city,
        "Shipping Zip": cust.zip, "Shipping Province": st_code, "Shipping Country": "US",
        "Shipping Phone": cust.phone,
        "Notes": note, "Cancelled at": _shopify_ts(cancelled_at), "Payment Method": payment_method,
        "Payment Reference": ref, "Refunded Amount": f"{refunded:.2f}",
        "Outstanding Balance": f"{total:.2f}" if status == "pending" else "0.00",
        "Id": str(shop_id), "Tags": ", ".join(tag_list),
        "Risk Level": _pick(rng, ("Low", "Medium", "High"), (0.95, 0.04, 0.01)),
        "Source": _pick(rng, ("web", "580111", "shopify_draft_order"), (0.88, 0.09, 0.03)),
        "Tax 1 Name": f"{st_code} State Tax {rate_pct:g}%" if taxes > 0 else "",
        "Tax 1 Value": f"{taxes:.2f}" if taxes > 0 else "",
        "Billing Province Name": st_name, "Shipping Province Name": st_name,
        "Payment ID": ref, "Payment References": ref,
    }
    repeat_email = bool(cust.email) and rng.random() < 0.5
    rows = []
    for j, (p, q) in enumerate(lines):
        pname, sku, price, compare, vendor = PRODUCTS[p]
        row = dict(first) if j == 0 else {"Email": cust.email if repeat_email else ""}
        row.update({
            "Name": name, "Created at": _shopify_ts(created), "Lineitem quantity": str(q),
            "Lineitem name": pname, "Lineitem price": f"{price:.2f}",
            "Lineitem compare at price": "" if compare is None else f"{compare:.2f}",
            "Lineitem sku": sku, "Lineitem requires shipping": "false" if sku.startswith("GIFT") else "true",
            "Lineitem taxable": "false" if sku.startswith("GIFT") else "true",
            "Lineitem fulfillment status": "fulfilled" if fulfilled else "pending",
            "Vendor": vendor, "Lineitem discount": "0.00", "Phone": order_phone,
        })
        rows.append(row)
    return rows


def _shopify_stats(orders: list[list[dict[str, str]]]) -> dict[str, Any]:
    heads = [o[0] for o in orders]
    keys = {h["Email"] or h["Phone"] for h in heads}
    return {
        "rows": sum(len(o) for o in orders),
        "orders": len(orders),
        "customers": len(keys),
        "email_customers": len({h["Email"] for h in heads if h["Email"]}),
        "phone_customers": len({h["Phone"] for h in heads if not h["Email"]}),
        "cod_orders": sum(1 for h in heads if not h["Email"]),
        "multi_line_orders": sum(1 for o in orders if len(o) > 1),
        "discount_orders": sum(1 for h in heads if h["Discount Code"]),
        "status": dict(Counter(h["Financial Status"] for h in heads).most_common()),
        "cancelled": sum(1 for h in heads if h["Cancelled at"]),
        "first": heads[0]["Created at"],
        "last": heads[-1]["Created at"],
        "name_range": f"{heads[0]['Name']}–{heads[-1]['Name']}",
    }


# ---------------------------------------------------------------------------------------------------------
# README
# ---------------------------------------------------------------------------------------------------------


def _status_lines(status: dict[str, int]) -> str:
    return "\n".join(f"  - `{k}`: {v}" for k, v in status.items())


def make_readme(path: Path, tmall: dict[str, Any], shopify: dict[str, Any], events: dict[str, Any],
                seed: int) -> None:
    reasons = {
        "bad_date": "`订单付款时间 ` is `2026-13-45 10:00:00` (reason `bad_date`)",
        "bad_amount": "`买家实际支付金额` is the text `abc` (reason `bad_amount`)",
        "missing_customer": "`买家会员名` and `买家支付宝账号` both empty (reason `missing_customer`)",
    }
    bad = "\n".join(f"  - 订单编号 `{oid}`: {reasons[what]}" for oid, what in tmall["bad"])
    t, s = tmall, shopify
    text = f"""# Sample data

Synthetic order exports that copy the layout of real ones, for trying tiercli and for tests.
No real people: names, nicknames, addresses, phones and e-mails are generated (e-mails use
`example.*` domains, US phones the fictional `555-01xx` range; Chinese phones and Alipay
accounts are masked the way current exports mask them).

Made by `python scripts/make_sample_data.py` (seed {seed}; `--out DIR` writes elsewhere).
The script is deterministic: running it again gives a byte-identical CSV and workbook.
Re-run it and commit the result whenever the generator changes; it rewrites this file too.

## tmall_orders.xlsx — Tmall 卖家中心 订单报表, one row per order

- Sheet `订单报表`, header in row 1: the 46 columns of the 2017 卖家中心 order report in
  their order, trailing spaces kept (`收货地址 `, `联系电话 `, `订单付款时间 `,
  `宝贝标题 `, `宝贝种类 `, `物流单号 `), plus a last column `商品类目` the shop
  added (美妆 服饰 食品 母婴 家居 数码 个护 运动).
- {t["rows"]} data rows = {t["orders"]} orders from {t["customers"]} buyers (distinct
  non-empty `买家会员名`), created {t["first"]} … {t["last"]}.
- `订单编号` is a 17–19 digit id stored as a text cell. Money columns (`买家应付货款`,
  `买家应付邮费`, `总金额`, `买家实际支付金额`, `天猫卡券抵扣`, `集分宝抵扣`, `退款金额`)
  are numbers; times are text `YYYY-MM-DD HH:MM:SS`; `买家服务费` is `0元`;
  `天猫卡券抵扣` and `集分宝抵扣` are empty when not used.
- `总金额` = `买家应付货款` + `买家应付邮费`;
  `买家实际支付金额` = `总金额` − `天猫卡券抵扣` − `集分宝抵扣`.
  Orders never paid have an empty `订单付款时间 `; closed unpaid orders show
  `买家实际支付金额` 0, orders still waiting for payment show the amount due.
- `订单状态` of the good rows:
{_status_lines(t["status"])}
- `订单关闭原因` is `订单未关闭` unless the order is closed: `买家未付款`, `买家不想买了`,
  `其他原因`, or `退款` for orders closed after a full refund.
- Refunds: {t["partial_refunds"]} partial (`退款金额` < paid) and {t["full_refunds"]} full
  (`退款金额` = `买家实际支付金额`; most closed, some still `交易成功`).
- Coupons (`天猫卡券抵扣` > 0) on {t["coupon_orders"]} orders, mostly from about a quarter
  of the buyers (the price-sensitive ones).
- Shape: {t["one_order_customers"]} buyers have exactly one row; a repeat tail;
  {t["heavy"]} heavy buyers with 10 or more orders (max {t["max_orders"]}); sleepers who
  bought several times in the first year and then stopped; order values lognormal per
  category (mostly ¥30–¥1,500, {t["over_10k"]} orders over ¥10,000); peaks on 11.11,
  6.18 and 12.12 and a dip at Spring Festival.
- Buyer names that test text handling: `=糖果屋=`, `-小雨点-`, `@阿杰Jay` (must never
  become formulas) and `000123` (must keep its leading zeros).
- Orders a reader should count (paid, not refunded in full, good rows):
  {t["counted_orders"]} orders from {t["counted_customers"]} buyers.
- Three deliberately bad rows a reader must exclude, with a reason:
{bad}

## tmall_events.csv — the same shop's behaviour log (浏览 / 收藏 / 加购 / 购买), for `--events`

- UTF-8 CSV, header `买家会员名,行为时间,行为,商品,类目`: who (the order report's `买家会员名`), when
  (`YYYY-MM-DD HH:MM:SS`), what (`浏览` view, `收藏` favourite, `加购` cart, `购买` purchase), the product title
  and its category; {events["first"]} … {events["last"]}, the last {EVENT_DAYS} days of the orders.
- {events["rows"]} rows: {events["kinds"]["浏览"]} 浏览, {events["kinds"]["收藏"]} 收藏, {events["kinds"]["加购"]} 加购,
  {events["kinds"]["购买"]} 购买 by {events["people"]} people. The items of each paid order in those days are
  viewed before it, sometimes favourited and put in the cart, and bought at its payment time; 300 of the
  buyers browse without buying (a few of them 20–40 times); {events["visitors"]} visitors only browse (they
  have no order).
- Four deliberately bad rows a reader must exclude, with a reason: two without a `买家会员名`
  (`missing_customer`), one `分享` (`unknown_event`), one two days after the last order (`after_as_of`).

## shopify_orders_export.csv — Shopify `orders_export_1.csv`, one row per line item

- UTF-8 without BOM, LF line ends, the current 79-column header. Order-level fields are
  only on the first line of an order; continuation lines carry `Name`, `Created at`, the
  `Lineitem …` fields, `Vendor`, `Lineitem discount`, `Phone` when the order has one,
  and `Email` on about half of the orders. An empty `Discount Code` on first lines and an
  empty `Lineitem compare at price` on continuation lines are written as `""`, as
  Shopify does.
- {s["rows"]} rows = {s["orders"]} orders ({s["name_range"]}, newest first), created
  {s["first"]} … {s["last"]} (US Eastern: `-0500` and `-0400`).
- {s["customers"]} customers: {s["email_customers"]} by e-mail and
  {s["phone_customers"]} cash-on-delivery customers with an empty `Email` and only a
  `Phone` ({s["cod_orders"]} orders).
- Currency USD throughout. `Subtotal` is the line total after `Discount Amount` (as in
  real exports), and `Total` = `Subtotal` + `Shipping` + `Taxes`.
  {s["discount_orders"]} orders have a `Discount Code`.
- `Financial Status` of the orders:
{_status_lines(s["status"])}
- `Paid at` is empty on pending and voided orders; `Refunded Amount` is the whole
  `Total` on refunded orders and part of it on partially refunded ones;
  {s["cancelled"]} orders have `Cancelled at` (some voided, some refunded).
- {s["multi_line_orders"]} orders have more than one line. One order has a multi-line
  quoted `Notes` value with embedded quotes.
"""
    path.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="output directory (default: sample_data/ in the repository)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default: {SEED})")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    tmall, tmall_rows = make_tmall(out / "tmall_orders.xlsx", np.random.default_rng(args.seed))
    shopify = make_shopify(out / "shopify_orders_export.csv", np.random.default_rng(args.seed + 1))
    events = make_tmall_events(out / "tmall_events.csv", tmall_rows, np.random.default_rng(args.seed + 2))
    make_readme(out / "README.md", tmall, shopify, events, args.seed)
    print(f"tmall_orders.xlsx: {tmall['rows']} rows, {tmall['orders']} orders, {tmall['customers']} buyers")
    print(f"shopify_orders_export.csv: {shopify['rows']} rows, {shopify['orders']} orders, "
          f"{shopify['customers']} customers")
    print(f"tmall_events.csv: {events['rows']} rows, {events['people']} people")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
