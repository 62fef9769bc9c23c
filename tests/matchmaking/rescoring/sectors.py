from companies.models import Sector


def sectors(*slugs):
    return list(Sector.objects.filter(slug__in=slugs))
