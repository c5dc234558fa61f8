"""Demo data for the ledger: the units and people of 津城管规〔2021〕116号, forty projects and a
deterministic year of activity (2021-09-01 .. 2022-08-31) for `demo.build` to replay.

Every code is one of the domain's own enums. Nothing here checks a rule: the ledger does, as the demo
is played through it (a step the rules refuse stops the build).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from domain.values import Level, ProblemCategory, Role, Sector, ServiceKind, Stage, UnitKind

START, END, LAST_REGISTRATION = date(2021, 9, 1), date(2022, 8, 31), date(2022, 3, 31)
STAGES = tuple(Stage)  # in the domain's order
DISTRICTS = ("和平区", "河东区", "河西区", "南开区", "河北区", "红桥区", "东丽区", "西青区", "津南区",
             "北辰区", "武清区", "宝坻区", "滨海新区", "宁河区", "静海区", "蓟州区")


@dataclass(frozen=True)
class DemoUnit:
    code: str
    name: str
    kind: UnitKind
    sectors: tuple[Sector, ...]
    department: str


@dataclass(frozen=True)
class DemoPerson:
    name: str
    role: Role
    unit_code: str | None
    phone: str
    title: str


@dataclass(frozen=True)
class DemoProject:
    number: str
    unit_code: str
    name: str
    sector: Sector
    level: Level
    investor: str
    investment_wan: Decimal
    responsible_person: str
    responsible_department: str
    liaison: str


@dataclass(frozen=True)
class Step:
    on: date
    actor: str
    action: str
    args: dict


UNITS = (
    DemoUnit("SRJS", "市容建设管理处", UnitKind.DEPARTMENT, (Sector.CITYSCAPE, Sector.SANITATION), "市容建设管理处设施建设科"),
    DemoUnit("HW", "环境卫生管理处", UnitKind.DEPARTMENT, (Sector.SANITATION,), "环境卫生管理处综合科"),
    DemoUnit("SRJG", "市容景观管理处", UnitKind.DEPARTMENT, (Sector.ADVERTISING, Sector.LIGHTING), "市容景观管理处照明管理科"),
    DemoUnit("FQW", "废弃物管理处", UnitKind.DEPARTMENT, (Sector.WASTE,), "废弃物管理处综合利用科"),
    DemoUnit("YLJS", "园林绿化建设处", UnitKind.DEPARTMENT, (Sector.LANDSCAPING,), "园林绿化建设处工程管理科"),
    DemoUnit("YLGL", "园林绿化管理处", UnitKind.DEPARTMENT, (Sector.LANDSCAPING,), "园林绿化管理处养护管理科"),
    DemoUnit("WXB", "网络安全和信息化办公室", UnitKind.DEPARTMENT, (Sector.SMART_CITY,), "网络安全和信息化办公室信息化建设科"),
    DemoUnit("GYJ", "市公用事业管理局", UnitKind.BUREAU, (Sector.GAS_HEATING, Sector.ROAD_BRIDGE), "市公用事业管理局计划发展处"),
    DemoUnit("HWSY", "天津市环境卫生工程设计院", UnitKind.AFFILIATE, (Sector.WASTE, Sector.SANITATION), "天津市环境卫生工程设计院经营发展部"),
    DemoUnit("CGY", "天津市城市管理规划设计研究院", UnitKind.AFFILIATE, (Sector.CITYSCAPE, Sector.SMART_CITY), "天津市城市管理规划设计研究院规划发展部"),
)

# The leadership group's office sits in 规划计划处, which is not a project-owning unit: unit_code None.
OFFICE_PEOPLE = (
    DemoPerson("杜晓岚", Role.ADMIN, None, "022-28350101", "一级主任科员"),
    DemoPerson("孟庆华", Role.OFFICE, None, "022-28350618", "副处长"),
    DemoPerson("蔡雨桐", Role.OFFICE, None, "022-28350623", "一级主任科员"),
)

UNIT_PEOPLE = (
    DemoPerson("高振东", Role.PRINCIPAL, "SRJS", "022-28351201", "处长"),
    DemoPerson("祁卫平", Role.LEADER, "SRJS", "022-28351202", "副处长"),
    DemoPerson("周思远", Role.LIAISON, "SRJS", "13820461735", "一级主任科员"),
    DemoPerson("郭佳宁", Role.STAFF, "SRJS", "022-28351215", "科员"),
    DemoPerson("陈立军", Role.PRINCIPAL, "HW", "022-28351301", "处长"),
    DemoPerson("付海燕", Role.LEADER, "HW", "022-28351302", "副处长"),
    DemoPerson("马晓彤", Role.LIAISON, "HW", "13802179264", "二级主任科员"),
    DemoPerson("白雪松", Role.STAFF, "HW", "022-28351318", "科员"),
    DemoPerson("韩志刚", Role.PRINCIPAL, "SRJG", "022-28351401", "处长"),
    DemoPerson("曹丽萍", Role.LEADER, "SRJG", "022-28351402", "副处长"),
    DemoPerson("石浩然", Role.LIAISON, "SRJG", "13512083346", "科员"),
    DemoPerson("许建国", Role.PRINCIPAL, "FQW", "022-28351501", "处长"),
    DemoPerson("宋文涛", Role.LEADER, "FQW", "022-28351502", "副处长"),
    DemoPerson("李梦瑶", Role.LIAISON, "FQW", "13820935107", "一级主任科员"),
    DemoPerson("田宇航", Role.STAFF, "FQW", "022-28351521", "科员"),
    DemoPerson("王树林", Role.PRINCIPAL, "YLJS", "022-28351601", "处长"),
    DemoPerson("薛红梅", Role.LEADER, "YLJS", "022-28351602", "副处长"),
    DemoPerson("常俊杰", Role.LIAISON, "YLJS", "13752146890", "科员"),
    DemoPerson("冯玉兰", Role.PRINCIPAL, "YLGL", "022-28351701", "处长"),
    DemoPerson("邢国庆", Role.LEADER, "YLGL", "022-28351702", "副处长"),
    DemoPerson("袁梓涵", Role.LIAISON, "YLGL", "13920587413", "二级主任科员"),
    DemoPerson("焦晨", Role.STAFF, "YLGL", "022-28351716", "科员"),
    DemoPerson("赵鹏飞", Role.PRINCIPAL, "WXB", "022-28351801", "主任"),
    DemoPerson("贾文静", Role.LEADER, "WXB", "022-28351802", "副主任"),
    DemoPerson("吕一鸣", Role.LIAISON, "WXB", "13612275039", "一级主任科员"),
    DemoPerson("孙保国", Role.PRINCIPAL, "GYJ", "022-23307001", "局长"),
    DemoPerson("何建新", Role.LEADER, "GYJ", "022-23307006", "副局长"),
    DemoPerson("郑雅琴", Role.LIAISON, "GYJ", "13821346628", "一级主任科员"),
    DemoPerson("武振宇", Role.STAFF, "GYJ", "022-23307152", "科员"),
    DemoPerson("罗海涛", Role.PRINCIPAL, "HWSY", "022-24451101", "院长"),
    DemoPerson("谭晓峰", Role.LEADER, "HWSY", "022-24451102", "副院长"),
    DemoPerson("方静怡", Role.LIAISON, "HWSY", "13502016654", "科员"),
    DemoPerson("侯嘉琪", Role.STAFF, "HWSY", "022-24451136", "科员"),
    DemoPerson("姜宏伟", Role.PRINCIPAL, "CGY", "022-23521801", "院长"),
    DemoPerson("黎春燕", Role.LEADER, "CGY", "022-23521802", "副院长"),
    DemoPerson("潘子轩", Role.LIAISON, "CGY", "13920718352", "科员"),
)


def person(unit_code: str, role: str) -> DemoPerson | None:
    return next((p for p in UNIT_PEOPLE if p.unit_code == unit_code and p.role == role), None)


def unit(code: str) -> DemoUnit:
    return next(u for u in UNITS if u.code == code)


def _project(number, name, sector, level, investor, wan, responsible=Role.LEADER):
    code = number.split("-")[0]
    return DemoProject(number, code, name, sector, level, investor, Decimal(wan),
                       person(code, responsible).name, unit(code).department, person(code, Role.LIAISON).name)


PROJECTS = (
    _project("SRJS-2021-001", "津南区生活垃圾转运站新建工程", Sector.SANITATION, Level.COMMISSION, "天津润清环境科技有限公司", "18600"),
    _project("SRJS-2021-002", "河西区老旧街区立面整治及市容提升项目", Sector.CITYSCAPE, Level.COMMISSION, "天津华筑城市更新投资有限公司", "42500"),
    _project("SRJS-2021-003", "南开区公共厕所提升改造PPP项目", Sector.SANITATION, Level.UNIT, "天津环洁卫生设施服务有限公司", "9800"),
    _project("SRJS-2021-004", "海河沿线重要节点市容景观综合提升项目", Sector.CITYSCAPE, Level.CITY, "天津瀚海城市建设发展有限公司", "68000", Role.PRINCIPAL),
    _project("HW-2021-001", "滨海新区环卫一体化PPP项目", Sector.SANITATION, Level.CITY, "天津滨城环境服务股份有限公司", "56000", Role.PRINCIPAL),
    _project("HW-2021-002", "西青区环卫作业市场化服务项目", Sector.SANITATION, Level.COMMISSION, "天津洁瑞环境工程有限公司", "12600"),
    _project("HW-2021-003", "新能源环卫车辆购置及充电设施建设项目", Sector.SANITATION, Level.COMMISSION, "天津绿驰新能源汽车服务有限公司", "8750.50"),
    _project("HW-2021-004", "武清区城乡环卫一体化项目", Sector.SANITATION, Level.UNIT, "北方清源环境集团股份有限公司", "23800"),
    _project("HW-2021-005", "环卫作业智能调度系统建设项目", Sector.SANITATION, Level.UNIT, "天津智洁科技有限公司", "1560"),
    _project("SRJG-2021-001", "海河两岸景观照明提升工程", Sector.LIGHTING, Level.CITY, "天津光华城市照明工程有限公司", "35600", Role.PRINCIPAL),
    _project("SRJG-2021-002", "中心城区道路照明LED节能改造合同能源管理项目", Sector.LIGHTING, Level.COMMISSION, "天津恒明节能科技股份有限公司", "21480"),
    _project("SRJG-2021-003", "快速路沿线户外广告设施设置运营项目", Sector.ADVERTISING, Level.COMMISSION, "天津新视界传媒有限公司", "6800"),
    _project("SRJG-2021-004", "和平区历史街区夜景灯光提升项目", Sector.LIGHTING, Level.UNIT, "天津星耀照明科技有限公司", "4200"),
    _project("FQW-2021-001", "静海区生活垃圾焚烧发电二期项目", Sector.WASTE, Level.CITY, "天津绿能环保电力有限公司", "126000", Role.PRINCIPAL),
    _project("FQW-2021-002", "东丽区建筑垃圾资源化利用项目", Sector.WASTE, Level.COMMISSION, "天津固废再生资源利用有限公司", "38500"),
    _project("FQW-2021-003", "北辰区餐厨垃圾处理厂项目", Sector.WASTE, Level.CITY, "天津沃土生物环保科技有限公司", "46300"),
    _project("FQW-2021-004", "宁河区生活垃圾综合处理园区项目", Sector.WASTE, Level.CITY, "津东环境投资集团有限公司", "215000", Role.PRINCIPAL),
    _project("FQW-2021-005", "河东区可回收物分拣中心建设项目", Sector.WASTE, Level.UNIT, "天津再生宝资源回收有限公司", "3650"),
    _project("FQW-2021-006", "宝坻区大件垃圾及园林废弃物处理项目", Sector.WASTE, Level.COMMISSION, "天津绿环循环经济发展有限公司", "7900"),
    _project("YLJS-2021-001", "南开区口袋公园群建设项目", Sector.LANDSCAPING, Level.COMMISSION, "天津园景建设工程有限公司", "15800"),
    _project("YLJS-2021-002", "津南区绿色生态屏障郊野公园建设项目", Sector.LANDSCAPING, Level.CITY, "天津绿屏生态发展有限公司", "98000", Role.PRINCIPAL),
    _project("YLJS-2021-003", "外环线绿化带提升改造工程", Sector.LANDSCAPING, Level.COMMISSION, "天津森禾园林股份有限公司", "26500"),
    _project("YLJS-2021-004", "北辰区城市绿道建设项目", Sector.LANDSCAPING, Level.UNIT, "天津青绿生态建设有限公司", "11200"),
    _project("YLGL-2021-001", "河北区公园绿地市场化养护服务项目", Sector.LANDSCAPING, Level.UNIT, "天津绿茵园林养护有限公司", "3200"),
    _project("YLGL-2021-002", "河西区公园配套服务设施运营项目", Sector.LANDSCAPING, Level.COMMISSION, "天津悦园文旅发展有限公司", "5600"),
    _project("YLGL-2021-003", "城市行道树智慧养护管理项目", Sector.LANDSCAPING, Level.UNIT, "天津林智科技有限公司", "980"),
    _project("WXB-2021-001", "智慧城管综合指挥平台建设项目", Sector.SMART_CITY, Level.COMMISSION, "天津城智数字科技有限公司", "12800", Role.PRINCIPAL),
    _project("WXB-2021-002", "城市管理物联感知网络建设项目", Sector.SMART_CITY, Level.COMMISSION, "天津感知未来信息技术股份有限公司", "8600"),
    _project("WXB-2021-003", "城市部件数字化普查及数据治理项目", Sector.SMART_CITY, Level.UNIT, "天津数图空间信息有限公司", "2350.80"),
    _project("GYJ-2021-001", "中心城区老旧燃气管网改造项目", Sector.GAS_HEATING, Level.CITY, "天津津燃管网工程有限公司", "86000", Role.PRINCIPAL),
    _project("GYJ-2021-002", "东丽区集中供热热源及管网建设项目", Sector.GAS_HEATING, Level.CITY, "天津热能投资发展有限公司", "124500"),
    _project("GYJ-2021-003", "中心城区桥梁预防性养护项目", Sector.ROAD_BRIDGE, Level.COMMISSION, "天津路桥养护工程股份有限公司", "18900"),
    _project("GYJ-2021-004", "西青区燃气调压站及中压管网建设项目", Sector.GAS_HEATING, Level.COMMISSION, "天津华港燃气发展有限公司", "32600"),
    _project("GYJ-2021-005", "快速路桥梁健康监测系统建设项目", Sector.ROAD_BRIDGE, Level.UNIT, "天津桥安智能科技有限公司", "5400"),
    _project("GYJ-2021-006", "蓟州区清洁能源供热改造项目", Sector.GAS_HEATING, Level.COMMISSION, "天津蓟能清洁能源有限公司", "27800"),
    _project("HWSY-2021-001", "静海区垃圾渗滤液集中处理中心项目", Sector.WASTE, Level.COMMISSION, "天津清流水务环保有限公司", "14600"),
    _project("HWSY-2021-002", "红桥区环卫停车场及综合服务站建设项目", Sector.SANITATION, Level.UNIT, "天津洁城设施管理有限公司", "6300"),
    _project("HWSY-2021-003", "武清区生活垃圾填埋场封场生态修复项目", Sector.WASTE, Level.COMMISSION, "天津复绿生态修复工程有限公司", "19200"),
    _project("CGY-2021-001", "河北区城市更新片区市容环境提升项目", Sector.CITYSCAPE, Level.UNIT, "天津筑景规划咨询有限公司", "2800"),
    _project("CGY-2021-002", "城市管理数字孪生平台建设项目", Sector.SMART_CITY, Level.COMMISSION, "天津数孪科技有限公司", "9600", Role.PRINCIPAL),
)

# ---- texts -------------------------------------------------------------------------------------
ADVANCE_NOTES = {
    "negotiating": ("{inv}提交投资意向书，双方启动实质性洽谈", "与{inv}建立定期会商机制，进入商务谈判阶段",
                    "完成项目推介对接，{inv}明确投资意向"),
    "signed": ("与{inv}正式签订投资合作协议", "在{district}人民政府见证下签署项目合作协议",
               "签订项目投资合作协议，明确建设内容和投资进度安排"),
    "landed": ("项目公司在{district}完成工商注册，首期资金{amt}万元到位", "取得项目建设用地，投资资金按协议开始到位",
               "项目公司注册成立，注册资本金{amt}万元实缴到位"),
    "started": ("取得施工许可证，项目正式开工建设", "举行项目开工仪式，施工总承包单位进场",
                "完成施工图审查和质量安全监督手续，主体工程开工"),
    "operating": ("项目竣工验收合格，正式投入运营", "完成72小时试运行，转入商业运营",
                  "项目建成投产，运营单位完成人员培训并全员到岗"),
}
MONTHLY_NOTES = {
    "lead": ("完成项目初步策划方案，正在开展市场调研和投资测算", "组织意向企业赴{district}现场踏勘，初步梳理建设条件",
             "编制项目建议书初稿，正在征求{district}及相关部门意见", "与{inv}对接投资规模和收益模式，初步形成合作框架",
             "参加全市重点项目招商推介活动，向意向投资方推介本项目"),
    "negotiating": ("与{inv}开展第{k}轮商务洽谈，就合作模式和收益分配交换意见", "完成项目可研报告编制，正在办理用地预审",
                    "双方就投资协议主要条款基本达成一致，{inv}正在履行内部决策程序",
                    "组织专家对投资方案进行论证，提出修改意见{k}条，企业正在修改完善",
                    "{inv}补充提交财务测算资料，正在会同{district}核实建设条件",
                    "完成物有所值评价和财政承受能力论证初稿，待相关部门审核"),
    "signed": ("投资协议已签订，{inv}正在组建项目公司", "办理项目备案手续，同步开展初步设计",
               "项目环境影响评价文件已报审，正在组织技术评估", "完成初步设计及概算编制，正在办理设计方案审查",
               "协调{district}推进土地征收和地上物清理工作"),
    "landed": ("项目公司累计到位资金{amt}万元，正在办理施工图审查", "取得建设用地规划许可证，正在办理建设工程规划许可",
               "完成施工总承包和监理招标，施工单位正在进行开工前准备", "完成场地平整和临时设施搭建，具备开工条件"),
    "started": ("主体工程形象进度完成{pct}%，本月完成投资{mamt}万元", "主要工艺设备陆续进场安装，已签订设备采购合同{k}项",
                "克服雨季施工不利影响，按计划推进管线敷设和基础施工", "组织施工现场安全生产和文明施工检查，整改问题{k}项",
                "冬季施工方案经专家论证通过，室内安装工程有序推进"),
    "operating": ("项目运行平稳，日均处理能力达到设计规模的{pct}%", "完成竣工验收备案，运营管理团队已全部到岗",
                  "本月运营正常，未发生安全生产事故和群众投诉", "开展运营绩效自评，各项指标达到合同约定要求"),
    "suspended": ("企业股权结构调整期间项目暂缓推进，保持沟通对接", "项目暂停期间定期与企业沟通，了解恢复推进安排"),
}
NEXT_STEPS = ("下一步将加快推进前期手续办理", "下一步将督促企业尽快落实建设资金", "下一步将会同相关区做好要素保障",
              "下一步将按月跟踪调度项目进展")
PROMOTE_REASONS = ("符合城市管理“十四五”规划重点方向，投资规模较大，纳入重点招商项目库",
                   "项目前期工作扎实，投资主体实力较强，纳入重点招商项目库动态管理",
                   "列入市级重点建设项目储备清单，调入重点招商项目库加强跟踪服务",
                   "有利于补齐{sector}设施短板，社会效益明显，纳入重点招商项目库",
                   "企业投资意向明确，已提交项目建议书，纳入重点招商项目库")
DEMOTE_REASONS = ("投资方融资安排未落实，连续三个月无实质进展，调出重点库转入储备库跟踪",
                  "项目建设内容和规模需重新论证，暂不具备重点推进条件，调出重点招商项目库")
EVALUATION_COMMENTS = {
    "A": ("项目推进迅速，已实现落地，服务保障措施到位", "投资到位率高，建设进度快于计划，成效明显",
          "问题响应及时，项目按节点推进，评价优秀"),
    "B": ("项目按计划推进，前期手续办理有序", "签约后续工作衔接较好，需加快资金到位", "总体进展良好，个别环节需加强协调"),
    "C": ("洽谈进展偏慢，需加大对接力度并明确时间节点", "项目推进存在一定困难，需强化问题协调",
          "进度滞后于年度计划，请责任部门加强调度"),
    "D": ("项目长期停留在谋划阶段，建议研究是否调整出库", "本季度无实质进展，月报内容空泛，需督促整改",
          "推进缓慢且问题未有效解决，列为重点督办"),
}
# (category, title, applies to sectors or name keywords (None: any), escalated to, answer fed back)
PROBLEMS = (
    (ProblemCategory.LAND, "项目拟选址地块为一般农用地，需办理农用地转用手续", ("waste", "sanitation"), "市规划和自然资源局",
     "市规划和自然资源局明确纳入年度建设用地计划统筹保障，农用地转用按批次办理"),
    (ProblemCategory.LAND, "项目选址与生态保护红线存在局部交叉", ("waste",), "市规划和自然资源局",
     "经核实交叉部分可通过优化总平面布置避让，已指导设计单位调整方案"),
    (ProblemCategory.FUNDING, "项目申报地方政府专项债券，额度分配尚未明确", None, "市财政局",
     "市财政局答复项目已纳入专项债券项目储备库，将按程序分配额度"),
    (ProblemCategory.FUNDING, "企业项目资本金到位滞后，银行贷款审批进度较慢", None, "市地方金融监督管理局",
     "协调两家银行开展联合授信评审，贷款审批已进入终审环节"),
    (ProblemCategory.APPROVAL, "环境影响评价报告书审批周期较长，影响开工计划", ("waste", "sanitation", "gas_heating"), "市生态环境局",
     "市生态环境局同意容缺受理，环评审批时限压缩至法定时限的一半"),
    (ProblemCategory.POLICY, "生活垃圾处理服务费结算标准尚未明确", ("waste",), "市发展改革委",
     "市发展改革委已启动成本监审，结算标准在成本监审后按程序核定"),
    (ProblemCategory.POLICY, "户外广告设施设置规划尚未批复，点位审批缺少依据", ("advertising",), "委政策法规处",
     "明确规划批复前按现行技术规范审查点位，规划批复后统一调整"),
    (ProblemCategory.POLICY, "资源化利用产品缺少推广应用政策支持", ("资源化", "处理", "焚烧"), "市住房城乡建设委",
     "市住房城乡建设委同意将符合标准的再生产品纳入绿色建材推广目录"),
    (ProblemCategory.OTHER, "周边居民对项目建设存在顾虑，需加强沟通解释", ("waste", "sanitation"), "{district}人民政府",
     "会同属地街道召开居民座谈会，组织居民代表参观同类设施，疑虑已基本消除"),
    (ProblemCategory.APPROVAL, "燃气管线需穿越铁路线路，穿越方案需铁路部门审批", ("燃气",), "中国铁路北京局集团有限公司",
     "铁路部门已同意穿越方案，要求施工期间落实安全防护措施"),
    (ProblemCategory.POLICY, "供热价格联动机制不明确，影响企业投资收益测算", ("供热",), "市发展改革委",
     "市发展改革委答复将结合热源成本变化研究完善价格联动机制，企业可按现行价格测算"),
    (ProblemCategory.APPROVAL, "桥梁维修施工需占用城市道路，交通导改方案待审批", ("road_bridge",), "市公安交管局",
     "市公安交管局同意分阶段占路施工，夜间作业时段已明确"),
    (ProblemCategory.OTHER, "平台需接入多部门数据，数据共享接口标准不统一", ("smart_city",), "市大数据管理中心",
     "市大数据管理中心明确按全市政务数据共享交换标准提供接口，已开通测试环境"),
    (ProblemCategory.APPROVAL, "政务信息化项目审核周期较长，影响建设进度", ("smart_city",), "市委网信办",
     "审核部门同意提前介入开展技术评审，项目已列入本年度审核计划"),
    (ProblemCategory.LAND, "公园配套服务设施用地规划条件需调整", ("公园",), "市规划和自然资源局",
     "同意在公园绿地内按规定比例配建服务设施，规划条件已核发"),
    (ProblemCategory.POLICY, "社会资本参与公园运营的收益回报机制尚未明确", ("公园",), "市财政局",
     "明确可采取运营补贴加经营性收入方式，补贴纳入区级财政预算"),
    (ProblemCategory.APPROVAL, "施工范围涉及古树名木保护区域，需开展专项论证", ("landscaping",), "市规划和自然资源局",
     "组织专家完成古树名木保护专项论证，同意调整施工工艺后实施"),
    (ProblemCategory.OTHER, "夜间施工许可办理和噪声管控要求较严，影响工期", ("工程", "建设", "改造"), "市生态环境局",
     "明确混凝土连续浇筑等工艺可申请夜间施工，企业已按程序办理"),
    (ProblemCategory.APPROVAL, "设计方案涉及历史风貌建筑，需组织专家评审", ("lighting", "cityscape"), "市住房城乡建设委",
     "组织历史风貌建筑保护专家完成方案评审，施工采用非破坏性固定方式"),
    (ProblemCategory.FUNDING, "合同能源管理模式下节能服务费付费来源未落实", ("节能",), "市财政局",
     "市财政局同意将节能服务费纳入照明运维经费预算，按年度结算"),
    (ProblemCategory.POLICY, "环卫作业市场化服务费标准偏低，企业投标积极性不高", ("sanitation",), "市财政局",
     "明确服务费按作业面积和质量考核结果动态调整，新标准下一年度执行"),
    (ProblemCategory.OTHER, "新能源环卫车辆集中充电设施建设需电力扩容", ("新能源", "停车场", "环卫一体化"), "国网天津市电力公司",
     "国网天津市电力公司已开辟业扩报装绿色通道，扩容工程纳入本季度计划"),
    (ProblemCategory.LAND, "设施建设用地需与区土地整理计划衔接", ("转运站", "停车场", "分拣", "处理"), "{district}人民政府",
     "区政府同意将项目用地纳入年度土地整理计划优先安排"),
    (ProblemCategory.APPROVAL, "项目核准需补充节能审查意见", None, "市发展改革委", "已指导企业编制节能报告，节能审查与项目核准并联办理"),
    (ProblemCategory.FUNDING, "企业申请绿色信贷贴息，申报条件和流程不清楚", None, "市地方金融监督管理局",
     "已向企业书面说明贴息申报条件和材料清单，企业已完成申报"),
)
ESCALATE_NOTES = ("经研究提出解决建议，已函报{to}请求协调支持", "已提请领导小组办公室协调，并向{to}报送专题请示")
CLOSE_NOTES = ("答复意见已书面反馈投资企业，企业表示认可，问题销号", "经回访企业，问题已解决，同意关闭",
               "相关部门意见已落实到位，企业无异议，予以销号", "问题解决情况已核实，纳入台账闭环管理")
SERVICES = {
    ServiceKind.POLICY: ("向企业解读{sector}行业管理相关政策法规", "组织企业参加全市招商引资政策宣讲会",
               "解读市政公用事业特许经营相关政策规定", "向企业提供本市支持民营企业发展政策汇编并逐条讲解"),
    ServiceKind.APPROVAL: ("协调开通审批绿色通道，项目备案当日办结", "指导企业准备占用挖掘道路许可申报材料",
                 "会同相关部门提前介入，开展环评文件预审", "协助企业完成投资项目在线审批监管平台申报"),
    ServiceKind.SITE: ("陪同企业赴{district}踏勘备选地块{k}处", "协调{district}落实施工临时用地", "协调解决施工现场临时用水用电接入",
             "协调产权单位配合完成地下管线迁改"),
    ServiceKind.FINANCING: ("协调国家开发银行天津市分行给予项目贷款授信", "推荐项目进入全市重点项目银企对接清单",
                  "协助企业申报中央预算内投资补助资金", "协调商业银行为项目提供绿色信贷支持"),
    ServiceKind.COORDINATION: ("召开项目推进协调会，会同{district}及相关部门研究落地问题", "协调委执法协调处做好项目周边市容环境秩序保障",
                     "协调电力、通信等管线单位配合项目施工", "组织企业与区住建、规划部门召开专题对接会"),
    ServiceKind.OTHER: ("在委门户网站发布项目招商动态，做好宣传推介", "协助企业对接高校开展专业技术人才招聘"),
}
SERVICE_WEIGHTS = {ServiceKind.POLICY: 12, ServiceKind.APPROVAL: 14, ServiceKind.SITE: 9, ServiceKind.FINANCING: 10, ServiceKind.COORDINATION: 12, ServiceKind.OTHER: 3}
FINAL_STAGES = {Stage.OPERATING: 4, Stage.STARTED: 5, Stage.LANDED: 5, Stage.SIGNED: 7,
                Stage.NEGOTIATING: 11}  # the rest stay lead


# ---- generator ---------------------------------------------------------------------------------
def _day(rng: random.Random, lo: date, hi: date) -> date:
    return lo + timedelta(days=rng.randint(0, max(0, (hi - lo).days)))


def _ctx(rng: random.Random, p: DemoProject) -> dict:
    inv = p.investor.removesuffix("有限公司").removesuffix("股份")
    inv = inv if inv.endswith("集团") else inv + "公司"
    wan = int(p.investment_wan)
    return {"inv": inv, "district": next((d for d in DISTRICTS if d in p.name), "项目所在区"),
            "sector": p.sector.label, "k": rng.randint(2, 5), "pct": rng.randint(35, 95),
            "amt": max(1, wan * rng.randint(10, 30) // 100), "mamt": max(1, wan * rng.randint(2, 8) // 100)}


def _fits(p: DemoProject, match: tuple[str, ...] | None) -> bool:
    return match is None or p.sector in match or any(k in p.name for k in match)


def _text(rng, pool, p, month=None):
    fits = [t for t in pool if month is None or ("雨季" not in t or month in (6, 7, 8, 9))
            and ("冬季" not in t or month in (11, 12, 1, 2, 3))]
    return rng.choice(fits).format(**_ctx(rng, p))


def timeline(seed: int = 116) -> list[Step]:
    rng = random.Random(seed)
    steps: list[Step] = []
    office = [p.name for p in OFFICE_PEOPLE if p.role == Role.OFFICE]

    def add(day: date, actor: str, action: str, **args) -> None:
        steps.append(Step(day, actor, action, args))

    def of(p: DemoProject, *roles: str) -> str:  # one of the project's unit people holding these roles
        return rng.choice([x.name for r in roles if (x := person(p.unit_code, r))])
    byno = {p.number: p for p in PROJECTS}

    reg = {}
    for p in PROJECTS:  # half registered right after the notice, the rest until March
        early = rng.random() < 0.5
        reg[p.number] = _day(rng, *((START, date(2021, 10, 31)) if early else (date(2021, 11, 1), LAST_REGISTRATION)))
        add(reg[p.number], p.liaison, "project_add", number=p.number)

    finals = [s for s, n in FINAL_STAGES.items() for _ in range(n)]
    finals += [Stage.LEAD] * (len(PROJECTS) - len(finals))
    order = sorted(PROJECTS, key=lambda p: reg[p.number].toordinal() + rng.randint(-75, 75))
    final = {p.number: s for p, s in zip(order, finals)}  # earlier registrations tend to get further

    fits = [[n for n in byno if _fits(byno[n], match)] for _, _, match, _, _ in PROBLEMS]
    needed = {n for f in fits if len(f) <= 2 for n in f}  # a problem keeps a project it fits alive
    quiet = sorted((n for n in byno if n not in needed),
                   key=lambda n: (final[n] not in (Stage.LEAD, Stage.NEGOTIATING), rng.random()))
    terminated = {n: _day(rng, reg[n] + timedelta(75), date(2022, 7, 31)) for n in quiet[:2]}
    alive = [n for n in byno if n not in terminated]
    sus = rng.choice([n for n in alive if final[n] in ("signed", "landed", "started") and reg[n] <= date(2021, 12, 31)])
    sus_from = _day(rng, reg[sus] + timedelta(95), reg[sus] + timedelta(150))
    sus_to = sus_from + timedelta(rng.randint(45, 80))
    add(sus_from, of(byno[sus], Role.LEADER), "suspend", number=sus, reason="投资方股权结构调整，项目暂缓推进，待新股东确认投资计划")
    add(sus_to, of(byno[sus], Role.LEADER), "resume", number=sus, reason="股权调整完成，新股东书面确认继续投资，恢复项目推进")

    ranked = sorted(byno, key=lambda n: -STAGES.index(final[n]) - rng.random() * 2.5)
    promoted = {n: reg[n] + timedelta(rng.randint(30, 60)) for n in ranked[: round(len(PROJECTS) * 0.6)]}
    for n, d in promoted.items():
        add(d, rng.choice(office), "promote", number=n, reason=_text(rng, PROMOTE_REASONS, byno[n]))
    demoted = {}
    weakest = sorted((n for n in promoted if n in alive and n != sus),
                     key=lambda n: (STAGES.index(final[n]), rng.random()))
    for n, why in zip(weakest[:2], DEMOTE_REASONS):
        demoted[n] = min(promoted[n] + timedelta(rng.randint(90, 150)), END - timedelta(10))
        add(demoted[n], rng.choice(office), "demote", number=n, reason=why)

    stages = {n: [] for n in byno}  # number -> [(date, stage)]
    for p in PROJECTS:
        path = list(STAGES[1: STAGES.index(final[p.number]) + 1])
        if len(path) >= 3 and rng.random() < 0.2:
            path.pop(rng.randrange(len(path) - 1))  # skip a stage now and then, never the last
        gap = (sus_to - sus_from).days + 1 if p.number == sus else 0
        lo, hi = reg[p.number] + timedelta(10), END - timedelta(5 + gap)
        for o, stage in zip(sorted(rng.sample(range(lo.toordinal(), hi.toordinal() + 1), len(path))), path):
            d = date.fromordinal(o)
            d = d + timedelta(gap) if gap and d >= sus_from else d
            stages[p.number].append((d, stage))
            add(d, of(p, Role.LIAISON, Role.LEADER), "advance", number=p.number, to=stage, on=d,
                note=_text(rng, ADVANCE_NOTES[stage], p))

    def stage_at(n, d):
        return ([s for on, s in stages[n] if on <= d] or [Stage.LEAD])[-1]

    for p in PROJECTS:  # 本月进展情况, written in the last third of the month
        y, m = reg[p.number].year, reg[p.number].month
        while (y, m) < (END.year, END.month):
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
            if rng.random() < 0.5:
                d = date(y, m, rng.randint(18, 28))
                key = "suspended" if p.number == sus and sus_from <= d <= sus_to else stage_at(p.number, d)
                text = _text(rng, MONTHLY_NOTES[key], p, m)
                if rng.random() < 0.3:
                    text += "；" + rng.choice(NEXT_STEPS)
                add(d, p.liaison, "note", number=p.number, text=text, on=d)

    statuses = ["closed"] * 17 + ["answered"] * 3 + ["escalated"] * 3 + ["open"] * 2
    rng.shuffle(statuses)
    reopened = rng.choice([i for i, s in enumerate(statuses) if s == "closed"])
    for i, ((category, title, match, to, answer), status) in enumerate(zip(PROBLEMS, statuses)):
        p = byno[rng.choice([n for n in alive if _fits(byno[n], match)])]
        key, lo = f"p{i + 1}", reg[p.number] + timedelta(10)
        if status in ("open", "escalated"):  # left hanging: raised early enough to be past due now
            d = _day(rng, max(lo, END - timedelta(200)), END - timedelta(90))
        else:
            d = _day(rng, lo, END - timedelta(140 if i == reopened else 75 if status == "closed" else 60))
        due = None if status not in ("open", "escalated") and rng.random() < 0.2 else d + timedelta(rng.randint(30, 60))
        add(d, p.liaison, "problem_raise", number=p.number, key=key, title=title, category=category, due=due)
        to = to.format(**_ctx(rng, p))
        if status == "escalated" or (status != "open" and rng.random() < 0.4):
            d += timedelta(rng.randint(5, 20))
            add(d, of(p, Role.LEADER), "problem_escalate", key=key, to=to, note=rng.choice(ESCALATE_NOTES).format(to=to))
        if status in ("answered", "closed"):
            d += timedelta(rng.randint(7, 30))
            add(d, of(p, Role.LEADER, Role.LIAISON), "problem_answer", key=key, note=answer)
        if status == "closed":
            d += timedelta(rng.randint(3, 15))
            add(d, rng.choice(office), "problem_close", key=key, note=rng.choice(CLOSE_NOTES))
        if i == reopened:
            d += timedelta(rng.randint(10, 25))
            add(d, rng.choice(office), "problem_reopen", key=key, reason="企业反映答复意见未落实到位，相关手续仍未办结，重新跟踪")
            d += timedelta(rng.randint(7, 20))
            add(d, of(p, Role.LEADER), "problem_answer", key=key, note="再次会同相关部门现场协调，明确办理时限并书面告知企业")
            d += timedelta(rng.randint(3, 10))
            add(d, rng.choice(office), "problem_close", key=key, note="企业确认手续已办结，问题销号")

    services = {}
    kinds, weights = zip(*SERVICE_WEIGHTS.items())
    for _ in range(60):  # the 服务清单 covers key projects, from their promotion on
        n = rng.choice([n for n in promoted if n in alive])
        kind = rng.choices(kinds, weights)[0]
        amount = None
        if kind == ServiceKind.FINANCING:
            amount = (byno[n].investment_wan * rng.randint(20, 60) / 100).quantize(Decimal("0.01"))
        services.setdefault(n, []).append((_day(rng, promoted[n] + timedelta(1), END), kind, amount))
    for n, items in services.items():
        for d, kind, amount in sorted(items, key=lambda s: s[0]):
            add(d, of(byno[n], Role.LIAISON, Role.STAFF), "service_add", number=n, kind=kind, on=d,
                note=_text(rng, SERVICES[kind], byno[n]), amount=amount)
    n = rng.choice([n for n, s in services.items() if len(s) >= 2 and min(d for d, _, _ in s) <= END - timedelta(20)])
    dates = sorted(d for d, _, _ in services[n])
    index = rng.choice([i for i, d in enumerate(dates) if d <= END - timedelta(20)])
    add(_day(rng, dates[index] + timedelta(1), dates[index] + timedelta(20)), byno[n].liaison, "service_void",
        number=n, service_index=index, reason="经核实该项服务登记内容有误，予以作废")

    for n in rng.sample([n for n in alive if n != sus], 4):  # investment revised after design deepening
        p = byno[n]
        new = (p.investment_wan * Decimal(rng.choice(("0.85", "0.9", "1.12", "1.2", "1.35")))).quantize(Decimal("0.01"))
        add(_day(rng, reg[n] + timedelta(20), END - timedelta(10)), p.liaison, "update", number=n,
            investment=min(max(new, Decimal(500)), Decimal(300000)))

    quarters = (("2021-Q4", date(2021, 12, 31)), ("2022-Q1", date(2022, 3, 31)), ("2022-Q2", date(2022, 6, 30)))
    for period, q_end in quarters:
        for n, since in promoted.items():
            if since <= q_end and not (n in demoted and demoted[n] <= q_end + timedelta(10)):
                grade = {Stage.LEAD: 3, Stage.NEGOTIATING: 2, Stage.SIGNED: 1}.get(stage_at(n, q_end), 0)
                grade = max(0, min(3, grade + rng.choice((-1, 0, 0, 0, 0, 0, 1))))
                rating = "ABCD"[max(grade, 2) if n == sus and sus_from <= q_end <= sus_to else grade]
                add(q_end + timedelta(10), rng.choice(office), "evaluate", number=n, period=period,
                    rating=rating, comment=rng.choice(EVALUATION_COMMENTS[rating]))

    for n, reason in zip(terminated, ("投资方战略调整，书面函告退出项目合作，经研究终止",
                                       "项目选址与国土空间规划冲突且无法调整，经双方协商终止合作")):
        steps[:] = [s for s in steps if not (s.args.get("number") == n and s.on >= terminated[n])]
        add(terminated[n], of(byno[n], Role.PRINCIPAL), "terminate", number=n, reason=reason)
    return sorted(steps, key=lambda s: s.on)
