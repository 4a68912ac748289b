from django.urls import path

from . import views

app_name = "linkage"
urlpatterns = [
    path("joint/", views.joint_list, name="joint-list"),
    path("joint/new/", views.joint_new, name="joint-new"),
    path("joint/<int:pk>/", views.joint_detail, name="joint-detail"),
    path("inspections/", views.plan_list, name="plan-list"),
    path("inspections/new/", views.plan_new, name="plan-new"),
    path("inspections/proposals/", views.proposals, name="proposals"),
    path("inspections/combine/", views.combine, name="combine"),
    path("inspections/planner/", views.planner_page, name="planner"),
    path("inspection-code/", views.inspection_code, name="inspection-code"),
    path("referrals/", views.referral_list, name="referral-list"),
    path("referrals/new/", views.referral_new, name="referral-new"),
    path("referrals/oversight/", views.oversight, name="oversight"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral-detail"),
    path("referrals/<int:pk>/material/", views.referral_material, name="referral-material"),
    path("court/", views.court, name="court"),
    path("court/new/", views.court_new, name="court-new"),
    path("police-support/", views.police_support_list, name="police-support-list"),
    path("police-support/new/", views.police_support_new, name="police-support-new"),
]
