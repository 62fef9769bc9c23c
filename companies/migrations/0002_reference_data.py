"""Reference data: the sector taxonomy, Chinese regions and partnership kinds.

SECTORS is exactly the table tests/data/sectors.tsv (slug, English
name, Chinese name, parent slug); slugs are public API, never rename one.
REGIONS are the ISO 3166-2:CN province-level codes with English and Chinese names.
The rows live here so that nothing reads outside the project at run time.
"""

from django.db import migrations

SECTORS = (
    ("energy", "Energy", "能源", ""),
    ("energy.wind", "Wind power (onshore and offshore)", "风电（陆上与海上）", "energy"),
    ("energy.solar", "Solar power", "太阳能发电", "energy"),
    ("energy.hydrogen", "Hydrogen and fuel cells", "氢能与燃料电池", "energy"),
    ("energy.storage", "Batteries and energy storage", "电池与储能", "energy"),
    ("energy.district-heating", "District heating and cooling", "区域供热与供冷", "energy"),
    ("energy.geothermal", "Geothermal energy", "地热能", "energy"),
    ("energy.grid", "Smart grids and power electronics", "智能电网与电力电子", "energy"),
    ("energy.efficiency", "Industrial energy efficiency", "工业节能", "energy"),
    ("water", "Water", "水务", ""),
    ("water.supply", "Water supply and leakage control", "供水与管网漏损控制", "water"),
    ("water.wastewater", "Wastewater treatment", "污水处理", "water"),
    ("water.sludge", "Sludge and biosolids treatment", "污泥处理与资源化", "water"),
    ("water.flood", "Flood and stormwater management", "防洪与雨洪管理", "water"),
    ("water.purification", "Water purification and membranes", "水净化与膜技术", "water"),
    ("circular", "Circular economy", "循环经济", ""),
    ("circular.waste-collection", "Waste collection and sorting", "垃圾收集与分类", "circular"),
    ("circular.organic-waste", "Organic waste and biogas", "有机废弃物与沼气", "circular"),
    ("circular.recycling", "Recycling and materials recovery", "回收与资源再生", "circular"),
    ("mobility", "Mobility", "交通出行", ""),
    ("mobility.ev", "Electric vehicles and charging", "电动汽车与充电", "mobility"),
    ("mobility.smart-transport", "Smart transport infrastructure", "智慧交通基础设施", "mobility"),
    ("mobility.heavy-transport", "Low-carbon heavy transport and engines", "低碳重型运输与动力", "mobility"),
    ("maritime", "Maritime and blue economy", "海洋与蓝色经济", ""),
    ("maritime.ports", "Ports and logistics", "港口与物流", "maritime"),
    ("maritime.shipping", "Green shipping and ship electrification", "绿色航运与船舶电动化", "maritime"),
    ("maritime.offshore", "Offshore engineering", "海洋工程", "maritime"),
    ("maritime.aquaculture", "Aquaculture and fisheries", "水产养殖与渔业", "maritime"),
    ("cities", "Cities and buildings", "城市与建筑", ""),
    ("cities.smart-city", "Smart city and urban planning", "智慧城市与城市规划", "cities"),
    ("cities.buildings", "Energy-efficient buildings and insulation", "建筑节能与保温", "cities"),
    ("cities.digital-twins", "Digital twins and industrial data", "数字孪生与工业数据", "cities"),
    ("cities.data-centres", "Green data centres", "绿色数据中心", "cities"),
    ("industry", "Industry", "工业", ""),
    ("industry.smart-manufacturing", "Smart manufacturing", "智能制造", "industry"),
    ("industry.ccus", "Carbon capture, utilisation and storage", "碳捕集、利用与封存", "industry"),
    ("industry.process", "Clean industrial processes and catalysts", "清洁工艺与催化", "industry"),
    ("environment", "Environment", "环境", ""),
    ("environment.air", "Air quality monitoring and control", "空气质量监测与治理", "environment"),
    ("environment.monitoring", "Environmental monitoring and measurement", "环境监测与测量", "environment"),
    ("health", "Health", "医疗健康", ""),
    ("health.medical", "Healthcare and medical equipment", "医疗与医疗设备", "health"),
    ("agrifood", "Agriculture and food", "农业与食品", ""),
    ("agrifood.agritech", "Agri-food technology", "农业食品科技", "agrifood"),
)

REGIONS = (
    ("CN-AH", "Anhui", "安徽省"),
    ("CN-BJ", "Beijing", "北京市"),
    ("CN-CQ", "Chongqing", "重庆市"),
    ("CN-FJ", "Fujian", "福建省"),
    ("CN-GD", "Guangdong", "广东省"),
    ("CN-GS", "Gansu", "甘肃省"),
    ("CN-GX", "Guangxi", "广西壮族自治区"),
    ("CN-GZ", "Guizhou", "贵州省"),
    ("CN-HA", "Henan", "河南省"),
    ("CN-HB", "Hubei", "湖北省"),
    ("CN-HE", "Hebei", "河北省"),
    ("CN-HI", "Hainan", "海南省"),
    ("CN-HK", "Hong Kong", "香港特别行政区"),
    ("CN-HL", "Heilongjiang", "黑龙江省"),
    ("CN-HN", "Hunan", "湖南省"),
    ("CN-JL", "Jilin", "吉林省"),
    ("CN-JS", "Jiangsu", "江苏省"),
    ("CN-JX", "Jiangxi", "江西省"),
    ("CN-LN", "Liaoning", "辽宁省"),
    ("CN-MO", "Macao", "澳门特别行政区"),
    ("CN-NM", "Inner Mongolia", "内蒙古自治区"),
    ("CN-NX", "Ningxia", "宁夏回族自治区"),
    ("CN-QH", "Qinghai", "青海省"),
    ("CN-SC", "Sichuan", "四川省"),
    ("CN-SD", "Shandong", "山东省"),
    ("CN-SH", "Shanghai", "上海市"),
    ("CN-SN", "Shaanxi", "陕西省"),
    ("CN-SX", "Shanxi", "山西省"),
    ("CN-TJ", "Tianjin", "天津市"),
    ("CN-TW", "Taiwan", "台湾省"),
    ("CN-XJ", "Xinjiang", "新疆维吾尔自治区"),
    ("CN-XZ", "Tibet (Xizang)", "西藏自治区"),
    ("CN-YN", "Yunnan", "云南省"),
    ("CN-ZJ", "Zhejiang", "浙江省"),
)

PARTNERSHIP_KINDS = ("procurement", "pilot", "jv", "investment", "licensing", "rnd", "distributor")


def load(apps, schema_editor):
    Sector = apps.get_model("companies", "Sector")
    Region = apps.get_model("companies", "Region")
    Partnership = apps.get_model("companies", "Partnership")
    by_slug = {}
    for position, (slug, name_en, name_zh, parent) in enumerate(SECTORS):
        by_slug[slug] = Sector.objects.create(
            slug=slug, name_en=name_en, name_zh=name_zh, parent=by_slug[parent] if parent else None, position=position
        )
    Region.objects.bulk_create(Region(code=c, name_en=e, name_zh=z) for c, e, z in REGIONS)
    Partnership.objects.bulk_create(Partnership(code=code) for code in PARTNERSHIP_KINDS)


def unload(apps, schema_editor):
    for model in ("Partnership", "Region"):
        apps.get_model("companies", model).objects.all().delete()
    Sector = apps.get_model("companies", "Sector")
    Sector.objects.filter(parent__isnull=False).delete()
    Sector.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("companies", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
