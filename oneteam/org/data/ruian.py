"""Rui'an (瑞安市, 330381) reference data for the demo.

Township names, kinds and codes are real (rules.md §7). Seat coordinates are
approximate; the county outline is a coarse hand-drawn approximation. Villages
and grids generated from them are synthetic and flagged as demo data.
"""

CITY = {"code": "330381", "name": "瑞安市", "prefecture": "温州市", "centre": (120.655, 27.78)}

# (3-digit code, name, kind, seat lng, seat lat)
TOWNSHIPS = [
    ("001", "安阳街道", "subdistrict", 120.655, 27.780),
    ("002", "玉海街道", "subdistrict", 120.640, 27.787),
    ("003", "锦湖街道", "subdistrict", 120.622, 27.797),
    ("004", "东山街道", "subdistrict", 120.690, 27.772),
    ("005", "上望街道", "subdistrict", 120.715, 27.728),
    ("007", "莘塍街道", "subdistrict", 120.695, 27.805),
    ("008", "汀田街道", "subdistrict", 120.672, 27.826),
    ("009", "飞云街道", "subdistrict", 120.655, 27.742),
    ("010", "仙降街道", "subdistrict", 120.600, 27.742),
    ("011", "南滨街道", "subdistrict", 120.675, 27.715),
    ("012", "潘岱街道", "subdistrict", 120.585, 27.795),
    ("013", "云周街道", "subdistrict", 120.545, 27.770),
    ("101", "塘下镇", "town", 120.700, 27.860),
    ("116", "马屿镇", "town", 120.490, 27.730),
    ("120", "陶山镇", "town", 120.460, 27.795),
    ("122", "湖岭镇", "town", 120.370, 27.850),
    ("125", "高楼镇", "town", 120.350, 27.665),
    ("126", "桐浦镇", "town", 120.505, 27.835),
    ("127", "林川镇", "town", 120.290, 27.795),
    ("128", "曹村镇", "town", 120.460, 27.680),
    ("129", "平阳坑镇", "town", 120.410, 27.625),
    ("221", "芳庄乡", "township", 120.320, 27.905),
    ("222", "北麂乡", "township", 121.175, 27.620),
]

# Coarse outline of the mainland (lng, lat), clockwise from the west.
MAINLAND_OUTLINE = [
    (120.22, 27.80), (120.26, 27.92), (120.33, 27.97), (120.42, 27.94), (120.52, 27.90), (120.62, 27.89),
    (120.70, 27.90), (120.76, 27.86), (120.78, 27.78), (120.76, 27.70), (120.70, 27.66), (120.60, 27.64),
    (120.50, 27.60), (120.40, 27.57), (120.30, 27.59), (120.24, 27.66), (120.22, 27.80),
]

# 北麂列岛, offshore: one township on its own island group (approximate box).
ISLAND_TOWNSHIPS = {"222": [(121.14, 27.59), (121.21, 27.59), (121.21, 27.65), (121.14, 27.65), (121.14, 27.59)]}

POLICY_DECISION = "瑞政办〔2022〕70号"
POLICY_TITLE = "深化乡镇(街道)\u201c一支队伍管执法\u201d工作实施方案"
POLICY_DATE = "2022-08-31"

EMPOWERED = {"101", "116", "125", "001", "002", "003", "004", "007", "010"}
# 1+X: the policy does not name the hubs; these neighbours are a demo choice.
HUB_SERVED = {"129": "116", "222": "004"}
# A demo-only "成熟一个、赋权一个" upgrade, to show mode history.
DEMO_UPGRADE = ("120", "2024-01-01", "瑞政发〔2023〕演示号", "陶山镇升级为派驻+赋权模式（演示数据）")

# (code, name, short name, field)
DEPARTMENTS = [
    ("DEPT-ZHZF", "瑞安市综合行政执法局", "综合执法局", "城市管理"),
    ("DEPT-SCJG", "瑞安市市场监督管理局", "市场监管局", "市场监管"),
    ("DEPT-ZRZY", "瑞安市自然资源和规划局", "自然资源局", "自然资源"),
    ("DEPT-STHJ", "温州市生态环境局瑞安分局", "生态环境分局", "生态环境"),
    ("DEPT-ZJ", "瑞安市住房和城乡建设局", "住建局", "住建"),
    ("DEPT-NYNC", "瑞安市农业农村局", "农业农村局", "农业农村"),
    ("DEPT-SL", "瑞安市水利局", "水利局", "水利"),
    ("DEPT-WJ", "瑞安市卫生健康局", "卫健局", "卫健"),
    ("DEPT-JT", "瑞安市交通运输局", "交通运输局", "交通运输"),
    ("DEPT-YJ", "瑞安市应急管理局", "应急管理局", "应急管理"),
]

# (code, name, short, kind)
CITY_BODIES = [
    ("CITY-GOV", "瑞安市人民政府", "市政府", "city_government"),
    ("LEADING", "瑞安市深化综合行政执法改革领导小组", "领导小组", "leading_group"),
    ("GUIDANCE", "瑞安市综合行政执法指导办公室", "市指导办", "guidance_office"),
    ("COMMAND", "瑞安市行政执法指挥中心", "市指挥中心", "command_centre"),
    ("CASE-REVIEW", "瑞安市案件审查中心", "市案审中心", "case_review_centre"),
    ("STAFFING", "中共瑞安市委机构编制委员会办公室", "市委编办", "staffing_office"),
    ("JUSTICE", "瑞安市司法局", "司法局", "justice_bureau"),
    ("FINANCE", "瑞安市财政局", "财政局", "finance"),
    ("POLICE", "瑞安市公安局", "公安局", "police"),
    ("PROCURATORATE", "瑞安市人民检察院", "检察院", "procuratorate"),
    ("COURT", "瑞安市人民法院", "法院", "court"),
]

WENZHOU_DEPARTMENTS = [
    ("WZ-SCJG", "温州市市场监督管理局", "温州市场监管局", "市场监管"),
    ("WZ-ZRZY", "温州市自然资源和规划局", "温州自然资源局", "自然资源"),
    ("WZ-STHJ", "温州市生态环境局", "温州生态环境局", "生态环境"),
    ("WZ-ZHZF", "温州市综合行政执法局", "温州综合执法局", "城市管理"),
]

# Departments that keep a dispatched team (派驻机构) in every township: (dept code, suffix, name suffix)
DISPATCHED_TEAMS = [("DEPT-SCJG", "SCJG", "市场监管所"), ("DEPT-ZRZY", "ZRZY", "自然资源和规划所")]

VILLAGE_NAMES = [
    "前垟", "后塘", "新桥", "东岙", "西岸", "南湖", "北山", "上林", "下洋", "中心", "河口", "岭头",
    "江滨", "溪坦", "枫岭", "桐溪", "塘头", "沙洲", "石门", "梅屿",
]
COMMUNITY_NAMES = [
    "城东", "城西", "滨江", "万松", "虹桥", "学府", "商城", "锦绣", "万达", "金丽", "新城", "外滩",
]
