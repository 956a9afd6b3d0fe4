"""Seeded generator of synthetic order lines for the benchmark.

    python bench/gen_orders.py N OUT.csv [--seed 7] [--chunk 250000]
    python bench/gen_orders.py N OUT.xlsx                  the same lines as a workbook (xlsxwriter)
    python bench/gen_orders.py N OUT.csv --layout taobao [--twin CLEAN.csv]

Writes exactly N order lines (plus a header) in chunks, so memory stays flat whatever N is:

    order_id,customer_id,order_ts,amount,quantity,product,category,region,status

- about N/10 customers (`C0001234`) with Pareto-distributed order counts: many buy once, a few buy hundreds
  of times;
- orders of 1–3 lines sharing one 16-digit order id, one timestamp and one status, spread over three years
  up to 2026-10-31;
- 2,000 products in 20 categories (popularity skewed), 30 regions (one per customer), lognormal amounts;
- status `paid` (~95%), `cancelled` (~3%), `unpaid` (~2%).

The same N, seed and chunk size always give the same file.

`--layout taobao` writes N orders as the Taobao/Tmall 卖家中心 订单报表 instead: its 46 headers verbatim, in
GB18030 with the export's quirks (title rows, `="…"` ids, `'` phones, `0元`, a `合计` footer); `--twin` also
writes the same rows as plain UTF-8 CSV. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

COLUMNS = ("order_id", "customer_id", "order_ts", "amount", "quantity", "product", "category", "region",
           "status")
CATEGORIES = ("美妆", "服饰", "食品", "母婴", "家居", "数码", "个护", "运动", "鞋靴", "箱包", "家电", "图书",
              "宠物", "玩具", "酒水", "茶叶", "珠宝", "家纺", "汽车用品", "办公")
CATEGORY_PRICE = np.array([120, 150, 45, 110, 90, 380, 60, 160, 220, 260, 650, 40, 70, 90, 180, 130, 900, 200,
                           120, 55], dtype=np.float64)
REGIONS = ("广东", "浙江", "江苏", "上海", "北京", "山东", "河南", "四川", "湖北", "湖南", "福建", "安徽",
           "河北", "陕西", "辽宁", "重庆", "天津", "江西", "广西", "云南", "山西", "黑龙江", "吉林", "贵州",
           "内蒙古", "甘肃", "海南", "新疆", "宁夏", "青海")
REGION_WEIGHTS = np.array([12, 9, 9, 6, 5, 6, 5, 5, 4, 4, 4, 3.5, 3.5, 3, 3, 3, 2.5, 2.5, 2.5, 2.5, 2, 2, 1.5,
                           1.5, 1, 1, 1, 0.8, 0.5, 0.4])
STATUSES = ("paid", "cancelled", "unpaid")
STATUS_P = (0.95, 0.03, 0.02)
LINES_P = (0.6, 0.3, 0.1)  # orders of 1, 2, 3 lines: 1.5 lines per order on average
N_PRODUCTS = 2000
END = dt.datetime(2026, 10, 31, 23, 59, 59)
SPAN_S = 3 * 365 * 86400
START_S = int((END - dt.datetime(1970, 1, 1)).total_seconds()) - SPAN_S + 1
ORDER_ID_BASE = 1_000_000_000_000_000
ORDER_ID_RANGE = 9_000_000_000_000_000
ORDER_ID_STEP = 12_345_678_917  # coprime with ORDER_ID_RANGE: distinct orders get distinct 16-digit ids
ORDER_ID_OFFSET = 9_876_543

SCHEMA = pa.schema([
    ("order_id", pa.string()),
    ("customer_id", pa.dictionary(pa.int32(), pa.string())),
    ("order_ts", pa.timestamp("s")),
    ("amount", pa.float64()),
    ("quantity", pa.int8()),
    ("product", pa.dictionary(pa.int32(), pa.string())),
    ("category", pa.dictionary(pa.int8(), pa.string())),
    ("region", pa.dictionary(pa.int8(), pa.string())),
    ("status", pa.dictionary(pa.int8(), pa.string())),
])


def parse_count(text: str) -> int:
    """`1000000`, `1_000_000`, `1e6`, `10M` or `500k` as an int."""
    m = re.fullmatch(r"\s*([0-9_.eE+]+)\s*([kKmM]?)\s*", text)
    if not m:
        raise argparse.ArgumentTypeError(f"not a count: {text!r}")
    value = float(m.group(1).replace("_", "")) * {"": 1, "k": 1e3, "m": 1e6}[m.group(2).lower()]
    if value < 1 or value != int(value):
        raise argparse.ArgumentTypeError(f"not a positive whole count: {text!r}")
    return int(value)


def customer_orders(rng: np.random.Generator, customers: int, orders: int) -> np.ndarray:
    """Orders per customer: at least one each, Pareto tail, summing to about `orders`."""
    raw = rng.pareto(1.25, customers)
    lo, hi = 0.0, 100.0
    for _ in range(40):  # scale the tail so the total matches
        scale = (lo + hi) / 2
        total = int(np.minimum(1 + np.floor(raw * scale), 5000).sum())
        lo, hi = (scale, hi) if total < orders else (lo, scale)
    return np.minimum(1 + np.floor(raw * hi), 5000).astype(np.int64)


def order_stream(rng: np.random.Generator, counts: np.ndarray) -> Iterator[np.ndarray]:
    """Customer index of each order, in random order; starts over if more orders are needed."""
    while True:
        seq = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
        rng.shuffle(seq)
        yield seq


def generic_batches(n_lines: int, seed: int = 7, chunk: int = 250_000) -> Iterator[tuple[pa.RecordBatch, int]]:
    """The generic layout's lines as record batches of SCHEMA, `chunk` lines each (the last one shorter), each
    with the number of orders it holds."""
    rng = np.random.default_rng(seed)
    n_customers = max(1, n_lines // 10)
    width = max(7, len(str(n_customers - 1)))
    customer_dict = pa.array(np.char.add("C", np.char.zfill(np.arange(n_customers).astype(str), width)))
    product_cat = rng.integers(0, len(CATEGORIES), N_PRODUCTS).astype(np.int8)
    product_price = CATEGORY_PRICE[product_cat] * rng.lognormal(0.0, 0.5, N_PRODUCTS)
    product_dict = pa.array([f"{CATEGORIES[c]}商品{i:04d}" for i, c in enumerate(product_cat)])
    region_of = rng.choice(len(REGIONS), n_customers, p=REGION_WEIGHTS / REGION_WEIGHTS.sum()).astype(np.int8)
    mean_lines = float(np.dot(LINES_P, (1, 2, 3)))
    counts = customer_orders(rng, n_customers, int(n_lines / mean_lines * 1.02))

    cat_dict, reg_dict, st_dict = pa.array(CATEGORIES), pa.array(REGIONS), pa.array(STATUSES)
    stream = order_stream(rng, counts)
    seq, pos = next(stream), 0
    written = orders = 0
    while written < n_lines:
        target = min(chunk, n_lines - written)
        m = int(target / mean_lines * 1.05) + 10  # enough orders to fill the chunk
        if pos + m > len(seq):
            seq = np.concatenate([seq[pos:], next(stream)])
            pos = 0
        n_per = rng.choice(3, m, p=LINES_P).astype(np.int64) + 1
        keep = int(np.searchsorted(np.cumsum(n_per), target, side="left")) + 1
        cust, n_per = seq[pos:pos + keep], n_per[:keep]
        pos += keep
        n_per[-1] -= int(n_per.sum()) - target  # the last order may lose lines to hit N exactly
        idx = np.arange(orders, orders + keep, dtype=np.int64)
        order_id = ORDER_ID_BASE + ((idx + ORDER_ID_OFFSET) * ORDER_ID_STEP) % ORDER_ID_RANGE
        ts = START_S + rng.integers(0, SPAN_S, keep)
        status = rng.choice(3, keep, p=STATUS_P).astype(np.int8)

        lines = int(n_per.sum())
        line_cust = np.repeat(cust, n_per)
        product = np.minimum((N_PRODUCTS * rng.random(lines) ** 2.2).astype(np.int32), N_PRODUCTS - 1)
        quantity = np.minimum(rng.geometric(0.72, lines), 20).astype(np.int8)
        unit = product_price[product] * rng.lognormal(0.0, 0.25, lines)
        amount = np.round(np.maximum(unit, 1.0) * quantity, 2)
        batch = pa.record_batch([
            pa.array(order_id).cast(pa.string()).take(pa.array(np.repeat(np.arange(keep), n_per))),
            pa.DictionaryArray.from_arrays(pa.array(line_cust, pa.int32()), customer_dict),
            pa.array(np.repeat(ts, n_per), pa.timestamp("s")),
            pa.array(amount),
            pa.array(quantity),
            pa.DictionaryArray.from_arrays(pa.array(product), product_dict),
            pa.DictionaryArray.from_arrays(pa.array(product_cat[product]), cat_dict),
            pa.DictionaryArray.from_arrays(pa.array(region_of[line_cust]), reg_dict),
            pa.DictionaryArray.from_arrays(pa.array(np.repeat(status, n_per)), st_dict),
        ], schema=SCHEMA)
        yield batch, keep
        written += lines
        orders += keep


def generate(n_lines: int, out: Path, seed: int = 7, chunk: int = 250_000) -> dict[str, int]:
    """The generic layout as CSV."""
    written = orders = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as fh:
        fh.write((",".join(COLUMNS) + "\n").encode())
        opts = pacsv.WriteOptions(include_header=False, quoting_style="none", batch_size=chunk)
        with pacsv.CSVWriter(fh, SCHEMA, write_options=opts) as writer:
            for batch, in_batch in generic_batches(n_lines, seed, chunk):
                writer.write_batch(batch)
                written += batch.num_rows
                orders += in_batch
    return {"lines": written, "orders": orders}


# --- Taobao/Tmall 卖家中心 订单报表 (ExportOrderList*.csv): one row per order ------------------------------------

# The 2017 export's 46 headers, verbatim (trailing spaces included).
TAOBAO_HEADER = (
    "订单编号", "买家会员名", "买家支付宝账号", "买家应付货款", "买家应付邮费", "买家支付积分", "总金额", "返点积分",
    "买家实际支付金额", "买家实际支付积分", "订单状态", "买家留言", "收货人姓名", "收货地址 ", "运送方式", "联系电话 ",
    "联系手机", "订单创建时间", "订单付款时间 ", "宝贝标题 ", "宝贝种类 ", "物流单号 ", "物流公司", "订单备注",
    "宝贝总数量", "店铺Id", "店铺名称", "订单关闭原因", "卖家服务费", "买家服务费", "发票抬头", "是否手机订单",
    "分阶段订单信息", "特权订金订单id", "是否上传合同照片", "是否上传小票", "是否代付", "定金排名", "修改后的sku",
    "修改后的收货地址", "异常信息", "天猫卡券抵扣", "集分宝抵扣", "是否是O2O交易", "退款金额", "预约门店")
TAOBAO_SHOP = "勤驿达海外生活"
TAOBAO_TITLE_ROWS = ('"淘宝网卖家中心 订单报表"\n'
                     f'"导出时间：2026-11-01 09:00:00","店铺名称：{TAOBAO_SHOP}"\n')
# Statuses as the export writes them; the first five are paid, then two closed, then two unpaid.
TAOBAO_STATUSES = ("交易成功", "买家已签收", "卖家已发货，等待买家确认", "买家已付款，等待卖家发货", "卖家部分发货",
                   "交易关闭", "交易被淘宝关闭", "等待买家付款", "没有创建支付宝交易", "卖家已发货,等待买家确认")
TAOBAO_STATUS_P = (0.86, 0.01, 0.032, 0.03, 0.005, 0.03, 0.005, 0.015, 0.005, 0.008)
TAOBAO_PAID = np.array([1, 1, 1, 1, 1, 0, 0, 0, 0, 1], dtype=bool)
TAOBAO_CLOSED = np.array([0, 0, 0, 0, 0, 1, 1, 0, 0, 0], dtype=bool)
TAOBAO_SHIPPED = np.array([1, 1, 1, 0, 1, 0, 0, 0, 0, 1], dtype=bool)
CLOSE_REASONS = ("买家不想买了", "超时未付款", "其他原因", "买家信息填写错误，重新拍")
CARRIERS = ("圆通速递", "中通快递", "申通快递", "韵达快递", "顺丰速运", "邮政EMS")
NICKS = ("tb", "小王同学", "快乐的鱼", "阳光宝贝", "jenny_", "木子李", "cc酱", "星空下的猫", "lucky", "豆豆妈",
         "hz_", "阿花", "sunny", "吃货一枚")
MAIL_DOMAINS = ("163.com", "qq.com", "126.com", "sina.com", "hotmail.com")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
# One address per region of REGIONS (same order): province as the export writes it, city, district, postcode.
ADDRESSES = (
    ("广东省", "广州市", "天河区", "510000"), ("浙江省", "杭州市", "西湖区", "310000"),
    ("江苏省", "南京市", "建邺区", "210000"), ("上海", "上海市", "浦东新区", "200120"),
    ("北京", "北京市", "朝阳区", "100020"), ("山东省", "济南市", "历下区", "250000"),
    ("河南省", "郑州市", "金水区", "450000"), ("四川省", "成都市", "武侯区", "610041"),
    ("湖北省", "武汉市", "洪山区", "430070"), ("湖南省", "长沙市", "岳麓区", "410000"),
    ("福建省", "福州市", "鼓楼区", "350000"), ("安徽省", "合肥市", "蜀山区", "230000"),
    ("河北省", "石家庄市", "长安区", "050000"), ("陕西省", "西安市", "雁塔区", "710000"),
    ("辽宁省", "沈阳市", "和平区", "110000"), ("重庆", "重庆市", "渝中区", "400010"),
    ("天津", "天津市", "南开区", "300100"), ("江西省", "南昌市", "东湖区", "330000"),
    ("广西壮族自治区", "南宁市", "青秀区", "530000"), ("云南省", "昆明市", "五华区", "650000"),
    ("山西省", "太原市", "小店区", "030000"), ("黑龙江省", "哈尔滨市", "南岗区", "150000"),
    ("吉林省", "长春市", "朝阳区", "130000"), ("贵州省", "贵阳市", "云岩区", "550000"),
    ("内蒙古自治区", "呼和浩特市", "赛罕区", "010000"), ("甘肃省", "兰州市", "城关区", "730000"),
    ("海南省", "海口市", "美兰区", "570000"), ("新疆维吾尔自治区", "乌鲁木齐市", "天山区", "830000"),
    ("宁夏回族自治区", "银川市", "兴庆区", "750000"), ("青海省", "西宁市", "城中区", "810000"))
TAOBAO_ORDER_ID_BASE = 2_000_000_000_000_000_000  # 19 digits, like 4012345678901234561
TAOBAO_ORDER_ID_RANGE = 7_000_000_000_000_000_000
FOOTER_SUMS = ("买家应付货款", "总金额", "买家实际支付金额", "宝贝总数量", "退款金额")  # what the 合计 row adds up


def _text(values: np.ndarray | pa.Array) -> pa.Array:
    return pa.array(values).cast(pa.string())


def _yuan(cents: np.ndarray) -> pa.Array:
    """Integer cents as `1280.50`."""
    frac = pc.utf8_lpad(_text(cents % 100), 2, "0")
    return pc.binary_join_element_wise(_text(cents // 100), frac, ".")


def _quoted(values: pa.Array | str, prefix: str = "") -> pa.Array | str:
    """A CSV cell as the export writes it: `"value"`, or `="value"` with prefix `=`; nulls as empty text."""
    if isinstance(values, str):
        return f'{prefix}"{values}"'
    return pc.binary_join_element_wise(f'{prefix}"', pc.fill_null(values, ""), '"', "")


def _buffer(lines: pa.Array) -> bytes:
    """The UTF-8 bytes of a string array's values, back to back."""
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset: lines.offset + len(lines) + 1]
    return lines.buffers()[2].to_pybytes()[offsets[0]:offsets[-1]]


def taobao_customers(n_customers: int, rng: np.random.Generator) -> dict[str, pa.Array]:
    """Per customer: 买家会员名 (empty for about 0.3%, whose 支付宝 account is then the key), 支付宝 account
    (masked when there is a member name), phone, receiver and address."""
    i = np.arange(n_customers)
    no_name = rng.random(n_customers) < 0.003
    names = [("" if no_name[k] else f"{NICKS[k % len(NICKS)]}{k}") for k in range(n_customers)]
    alipay = [f"buyer{k}@example.com" if no_name[k]
              else (f"{names[k][:2]}***@{MAIL_DOMAINS[k % len(MAIL_DOMAINS)]}" if k % 3 else
                    f"1{3 + k % 7}{k % 10}****{k % 10000:04d}") for k in range(n_customers)]
    phone = 13_000_000_000 + (i * 7_919 + 1_234_567) % 6_000_000_000
    region = rng.choice(len(ADDRESSES), n_customers, p=REGION_WEIGHTS / REGION_WEIGHTS.sum())
    addresses = [f"{ADDRESSES[r][0]} {ADDRESSES[r][1]} {ADDRESSES[r][2]} 某街道{k % 97 + 1}路{k % 389 + 1}号"
                 f"({ADDRESSES[r][3]})" for k, r in enumerate(region)]
    receivers = [f"{SURNAMES[k % len(SURNAMES)]}{'先生' if k % 2 else '女士'}" for k in range(n_customers)]
    return {"name": pa.array(names), "alipay": pa.array(alipay), "phone": _text(phone),
            "address": pa.array(addresses), "receiver": pa.array(receivers)}


def taobao_products(rng: np.random.Generator) -> tuple[pa.Array, np.ndarray]:
    """2,000 item titles (one with 𠮷, outside GBK) and their unit prices in cents."""
    cat = rng.integers(0, len(CATEGORIES), N_PRODUCTS)
    price = np.maximum(np.round(CATEGORY_PRICE[cat] * rng.lognormal(0.0, 0.5, N_PRODUCTS) * 100), 100)
    titles = [f"{'【包邮】' if i % 5 == 0 else ''}{'𠮷祥' if i == 7 else ''}{CATEGORIES[c]}商品{i:04d} 正品"
              for i, c in enumerate(cat)]
    return pa.array(titles), price.astype(np.int64)


def taobao_rows(n_rows: int, seed: int = 7, chunk: int = 250_000) -> Iterator[dict[str, pa.Array | str]]:
    """The 订单报表's rows, `chunk` orders at a time, as one array (or constant) per header, values unquoted."""
    rng = np.random.default_rng(seed)
    n_customers = max(1, n_rows // 7)
    customers = taobao_customers(n_customers, rng)
    titles, price = taobao_products(rng)
    counts = customer_orders(rng, n_customers, int(n_rows * 1.02))
    stream = order_stream(rng, counts)
    seq, pos, done = next(stream), 0, 0
    while done < n_rows:
        m = min(chunk, n_rows - done)
        if pos + m > len(seq):
            seq = np.concatenate([seq[pos:], next(stream)])
            pos = 0
        cust = pa.array(seq[pos:pos + m])
        pos += m
        idx = np.arange(done, done + m, dtype=np.int64)
        order_id = TAOBAO_ORDER_ID_BASE + ((idx + ORDER_ID_OFFSET) * ORDER_ID_STEP) % TAOBAO_ORDER_ID_RANGE
        status = rng.choice(len(TAOBAO_STATUSES), m, p=TAOBAO_STATUS_P)
        paid, closed, shipped = TAOBAO_PAID[status], TAOBAO_CLOSED[status], TAOBAO_SHIPPED[status]
        created = START_S + rng.integers(0, SPAN_S - 7200, m)
        paid_at = np.where(paid, created + rng.integers(20, 3600, m), 0)

        n_items = rng.choice(3, m, p=LINES_P) + 1
        product = np.minimum((N_PRODUCTS * rng.random((m, 3)) ** 2.2).astype(np.int64), N_PRODUCTS - 1)
        qty = np.minimum(rng.geometric(0.72, (m, 3)), 20)
        has = np.arange(3)[None, :] < n_items[:, None]
        qty = np.where(has, qty, 0)
        goods = (price[product] * qty).sum(axis=1)
        postage = np.where(rng.random(m) < 0.2, rng.integers(5, 13, m) * 100, 0)
        total = goods + postage
        coupon = np.where(rng.random(m) < 0.1, np.minimum(rng.choice([300, 500, 1000, 2000], m), total // 2), 0)
        actual = total - coupon
        refund_draw = rng.random(m)
        refund = np.where(paid & (refund_draw < 0.005), actual,
                          np.where(paid & (refund_draw < 0.025),
                                   np.round(actual * rng.uniform(0.1, 0.6, m)).astype(np.int64), 0))
        title = pc.binary_join_element_wise(
            *(pc.if_else(pa.array(has[:, k]), titles.take(pa.array(product[:, k])), None) for k in range(3)),
            "，", null_handling="skip")
        mobile = rng.random(m) < 0.7
        tracking = 7_000_000_000_000 + (idx * 104_729) % 2_000_000_000_000
        paid_ts = pc.strftime(pa.array(paid_at, pa.timestamp("s")), "%Y-%m-%d %H:%M:%S")
        close_reason = pa.array(CLOSE_REASONS).take(pa.array(rng.integers(0, len(CLOSE_REASONS), m)))
        yield {
            "订单编号": _text(order_id),
            "买家会员名": customers["name"].take(cust),
            "买家支付宝账号": customers["alipay"].take(cust),
            "买家应付货款": _yuan(goods), "买家应付邮费": _yuan(postage), "买家支付积分": "0",
            "总金额": _yuan(total), "返点积分": "0", "买家实际支付金额": _yuan(actual), "买家实际支付积分": "0",
            "订单状态": pa.array(TAOBAO_STATUSES).take(pa.array(status)),
            "买家留言": pc.if_else(pa.array(rng.random(m) < 0.03), "请尽快发货，谢谢", ""),
            "收货人姓名": customers["receiver"].take(cust), "收货地址 ": customers["address"].take(cust),
            "运送方式": "快递", "联系电话 ": "", "联系手机": customers["phone"].take(cust),
            "订单创建时间": pc.strftime(pa.array(created, pa.timestamp("s")), "%Y-%m-%d %H:%M:%S"),
            "订单付款时间 ": pc.if_else(pa.array(paid), paid_ts, ""),
            "宝贝标题 ": title, "宝贝种类 ": _text(n_items),
            "物流单号 ": pc.if_else(pa.array(shipped), pc.binary_join_element_wise("YT", _text(tracking), ""), ""),
            "物流公司": pc.if_else(pa.array(shipped), pa.array(CARRIERS).take(pa.array(idx % len(CARRIERS))), ""),
            "订单备注": "", "宝贝总数量": _text(qty.sum(axis=1)), "店铺Id": "0", "店铺名称": TAOBAO_SHOP,
            "订单关闭原因": pc.if_else(pa.array(closed), close_reason, "订单未关闭"),
            "卖家服务费": "0", "买家服务费": "0元", "发票抬头": "",
            "是否手机订单": pc.if_else(pa.array(mobile), "手机订单", ""),
            "分阶段订单信息": "", "特权订金订单id": "", "是否上传合同照片": "否", "是否上传小票": "否",
            "是否代付": "否",
            "定金排名": "", "修改后的sku": "", "修改后的收货地址": "", "异常信息": "",
            "天猫卡券抵扣": pc.if_else(pa.array(coupon > 0), _yuan(coupon), ""), "集分宝抵扣": "",
            "是否是O2O交易": "", "退款金额": _yuan(refund), "预约门店": "",
            "__sums": pa.array([int(goods.sum()), int(total.sum()), int(actual.sum()), int(qty.sum()),
                                int(refund.sum())]),
        }
        done += m


def _taobao_lines(row: dict[str, pa.Array | str], quirks: bool) -> bytes:
    """One chunk of rows as CSV text: every cell quoted; with the export's quirks, ids as `="…"`, the empty
    特权订金订单id as `=""`, phones with a leading `'` and the buyer's service fee as `0元`."""
    cells: list[pa.Array | str] = []
    for name in TAOBAO_HEADER:
        value = row[name]
        if name == "联系手机" and quirks:
            value = pc.binary_join_element_wise("'", value, "")
        elif name == "买家服务费" and not quirks:
            value = "0"
        cells.append(_quoted(value, "=" if quirks and name in ("订单编号", "特权订金订单id") else ""))
    return _buffer(pc.binary_join_element_wise(pc.binary_join_element_wise(*cells, ","), "\n", ""))


def generate_taobao(n_rows: int, out: Path, twin: Path | None = None, seed: int = 7,
                    chunk: int = 250_000) -> dict[str, int]:
    """The 订单报表 with its quirks, GB18030, to `out` (two title rows, a `合计` footer); with `twin`, the same
    rows under the same header as plain UTF-8 CSV (no title rows, no `="…"`, no `'`, no `0元`, no footer)."""
    header = ",".join(f'"{h}"' for h in TAOBAO_HEADER) + "\n"
    sums = np.zeros(5, dtype=np.int64)
    rows = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as fh, (twin.open("wb") if twin else open(os.devnull, "wb")) as clean:
        fh.write((TAOBAO_TITLE_ROWS + header).encode("gb18030"))
        clean.write(header.encode())
        for row in taobao_rows(n_rows, seed, chunk):
            fh.write(_taobao_lines(row, quirks=True).decode().encode("gb18030"))
            if twin:
                clean.write(_taobao_lines(row, quirks=False))
            sums += np.asarray(row["__sums"])
            rows += len(row["订单编号"])
        footer = ["合计", *[""] * (len(TAOBAO_HEADER) - 1)]
        for name, value in zip(FOOTER_SUMS, sums.tolist(), strict=True):
            text = str(value) if name == "宝贝总数量" else f"{value // 100}.{value % 100:02d}"
            footer[TAOBAO_HEADER.index(name)] = text
        fh.write((",".join(f'"{c}"' for c in footer) + "\n").encode("gb18030"))
    return {"lines": rows, "orders": rows}


# --- the generic layout as a workbook -----------------------------------------------------------------------------

def generate_xlsx(n_lines: int, out: Path, seed: int = 7, chunk: int = 250_000) -> dict[str, int]:
    """The generic layout's lines (the same as the CSV for the same N, seed and chunk) as an .xlsx written by
    xlsxwriter in constant_memory mode: ids and names as text, order_ts as a date-time, amount as a number
    shown with two decimals, quantity as a number."""
    import xlsxwriter

    out.parent.mkdir(parents=True, exist_ok=True)
    written = orders = 0
    book = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    try:
        sheet = book.add_worksheet("orders")
        sheet.set_column(COLUMNS.index("order_ts"), COLUMNS.index("order_ts"), 19,
                         book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}))
        sheet.set_column(COLUMNS.index("amount"), COLUMNS.index("amount"), 10,
                         book.add_format({"num_format": "0.00"}))
        sheet.write_row(0, 0, COLUMNS)
        for batch, in_batch in generic_batches(n_lines, seed, chunk):
            columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
            write_row = sheet.write_row
            for offset, values in enumerate(zip(*columns, strict=True)):
                write_row(written + offset + 1, 0, values)
            written += batch.num_rows
            orders += in_batch
    finally:
        book.close()
    return {"lines": written, "orders": orders}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write N synthetic order lines to a CSV or XLSX file.")
    parser.add_argument("lines", type=parse_count, help="number of order lines, e.g. 1000000, 1e6 or 10M")
    parser.add_argument("out", type=Path, help="file to write: .csv, or .xlsx for the generic layout")
    parser.add_argument("--layout", choices=("generic", "taobao"), default="generic",
                        help="generic (default): one line per row; taobao: the 订单报表, one order per row")
    parser.add_argument("--twin", type=Path, help="taobao only: also write the same rows as clean UTF-8 CSV")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--chunk", type=parse_count, default=250_000, help="lines per chunk (memory bound)")
    args = parser.parse_args(argv)
    xlsx = args.out.suffix.lower() == ".xlsx"
    if args.twin and args.layout != "taobao":
        parser.error("--twin goes with --layout taobao")
    if xlsx and args.layout != "generic":
        parser.error("only the generic layout is written as .xlsx")
    t0 = time.perf_counter()
    if args.layout == "taobao":
        stats = generate_taobao(args.lines, args.out, args.twin, args.seed, args.chunk)
    elif xlsx:
        stats = generate_xlsx(args.lines, args.out, args.seed, args.chunk)
    else:
        stats = generate(args.lines, args.out, args.seed, args.chunk)
    secs = time.perf_counter() - t0
    size = args.out.stat().st_size / 2**20
    print(f"{args.out}: {stats['lines']:,} lines, {stats['orders']:,} orders, {size:,.0f} MiB"
          f" in {secs:.1f} s", file=sys.stderr)
    return 0

if __name__ == "__main__":
    raise SystemExit(main())
