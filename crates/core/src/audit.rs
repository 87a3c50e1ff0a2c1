//! The audit log's vocabulary: who acted, by kind, and what they did.

use crate::labelled::labelled_enum;

pub mod subject;

labelled_enum!(
    /// Who acted.
    ActorKind {
        /// An officer in the console.
        Officer = "officer", "工作人员", "officer";
        /// A platform through the API.
        Platform = "platform", "平台", "platform";
        /// The system itself (background jobs, commands).
        System = "system", "系统", "system";
    }
);

labelled_enum!(
    /// What was done: the actions the console, the API and the commands record.
    AuditAction {
        /// An officer saw a full ID number.
        RevealIdNumber = "reveal.id_number", "查看完整身份证号", "Revealed an ID number";
        /// An officer saw a full mobile.
        RevealMobile = "reveal.mobile", "查看完整手机号", "Revealed a mobile";
        /// An officer exported members as CSV.
        ExportMembersCsv = "export.members_csv", "导出会员（CSV）", "Exported members (CSV)";
        /// An officer exported members as XLSX.
        ExportMembersXlsx = "export.members_xlsx", "导出会员（XLSX）", "Exported members (XLSX)";
        /// A platform asked whether someone is a member.
        MembershipVerify = "membership.verify", "平台核验会籍", "Membership verified by a platform";
        /// An admin renamed a union.
        OrgRename = "org.rename", "工会更名", "Union renamed";
        /// An admin changed a union's review policy.
        OrgPolicy = "org.policy", "修改审核规则", "Review policy changed";
        /// An admin created a union below one of their subtree.
        OrgCreate = "org.create", "新建工会", "Union created";
        /// The operator rotated the encryption keys.
        KeysRotate = "keys.rotate", "轮换加密密钥", "Encryption keys rotated";
        /// Expired personal data was purged.
        Purge = "purge", "清除过期个人信息", "Expired personal data purged";
        /// The operator published a new consent text.
        ConsentPublish = "consent.publish", "发布新版个人信息处理规则", "New consent text published";
        /// An admin added a record to the innovation registry.
        InnovationCreate = "innovation.create", "新增创新登记", "Innovation record added";
        /// An admin changed a record of the innovation registry.
        InnovationUpdate = "innovation.update", "修改创新登记", "Innovation record changed";
        /// An admin deleted a record of the innovation registry.
        InnovationDelete = "innovation.delete", "删除创新登记", "Innovation record deleted";
        /// The operator imported the innovation registry from a workbook.
        InnovationImport = "innovation.import", "导入创新登记", "Innovation registry imported";
        /// An admin opened a call for innovation results.
        CallOpen = "evaluation.call_open", "发起创新成果评选", "Innovation call opened";
        /// An admin appointed a judge to a call.
        JudgeAppoint = "evaluation.judge_appoint", "聘任评委", "Judge appointed";
        /// An officer submitted an entry to a call.
        EntrySubmit = "evaluation.entry_submit", "申报创新成果", "Entry submitted";
        /// An officer attached a file to an entry.
        EntryAttach = "evaluation.attach", "上传申报附件", "Attachment uploaded";
        /// A judge scored an entry.
        EntryScore = "evaluation.score", "评委打分", "Entry scored";
        /// A judge stood aside from an entry (conflict of interest).
        EntryRecuse = "evaluation.recuse", "评委回避", "Judge recused";
        /// An admin closed a call: results computed and published.
        CallClose = "evaluation.call_close", "评选结束并公布", "Call closed and published";
        /// Questions were added to a contest question bank.
        ContestQuestionsImport = "contest.questions_import", "导入竞赛题库", "Contest questions imported";
        /// A contest was created.
        ContestCreate = "contest.create", "创建知识竞赛", "Contest created";
        /// An organiser exported a contest's results as XLSX.
        ExportContestXlsx = "export.contest_xlsx", "导出竞赛成绩（XLSX）", "Exported contest results (XLSX)";
        /// An officer approved an application.
        ApplicationApprove = "application.approve", "批准入会申请", "Application approved";
        /// An officer rejected an application.
        ApplicationReject = "application.reject", "拒绝入会申请", "Application rejected";
        /// An officer distributed a pool member to a union (分流).
        PoolDistribute = "pool.distribute", "周转池分流", "Pool member distributed";
        /// An officer changed a membership's status (保留、恢复、退会、除名、去世).
        MemberLifecycle = "member.lifecycle", "变更会籍状态", "Membership status changed";
        /// An officer asked for a member into a union of their subtree.
        TransferAsk = "transfer.ask", "发起接转", "Transfer requested";
        /// An officer answered a transfer.
        TransferAnswer = "transfer.answer", "答复接转", "Transfer answered";
        /// An officer withdrew their transfer request.
        TransferWithdraw = "transfer.withdraw", "撤回接转", "Transfer withdrawn";
        /// An admin added a service station.
        StationCreate = "station.create", "新增服务站点", "Station added";
        /// An admin changed a service station (its details, or closed or reopened it).
        StationUpdate = "station.update", "修改服务站点", "Station changed";
        /// An admin deleted a service station.
        StationDelete = "station.delete", "删除服务站点", "Station deleted";
        /// Stations were imported from a file.
        StationsImport = "station.import", "导入服务站点", "Stations imported";
        /// An officer accepted a legal-aid case.
        CaseAccept = "case.accept", "受理维权案件", "Legal-aid case accepted";
        /// An officer assigned a legal-aid case to an officer.
        CaseAssign = "case.assign", "指派维权案件", "Legal-aid case assigned";
        /// An officer recorded a step on a legal-aid case.
        CaseStep = "case.step", "记录案件办理步骤", "Legal-aid case step recorded";
        /// An officer closed a legal-aid case with an outcome.
        CaseClose = "case.close", "办结维权案件", "Legal-aid case closed";
        /// An admin created a benefit programme.
        BenefitCreate = "benefit.create", "新建普惠项目", "Benefit programme created";
        /// An officer granted a programme to members (one, or a batch).
        BenefitGrant = "benefit.grant", "发放普惠项目", "Benefit granted";
        /// An officer moved a grant on (enrolled, used, closed).
        BenefitGrantUpdate = "benefit.grant_update", "更新普惠发放状态", "Benefit grant updated";
        /// An officer revoked a grant, with a reason.
        BenefitRevoke = "benefit.revoke", "撤销普惠发放", "Benefit revoked";
        /// Policy numbers were imported from the insurer's workbook.
        BenefitEnrolImport = "benefit.enrol_import", "导入保单号", "Policy numbers imported";
        /// An admin changed a programme (name, provider, hotline, last day, quota).
        BenefitEdit = "benefit.edit", "修改普惠项目", "Benefit programme changed";
        /// An admin closed a programme: no grant from today on.
        BenefitClose = "benefit.close", "结束普惠项目", "Benefit programme closed";
        /// A programme's grants were exported, identifiers masked.
        ExportBenefitGrants = "export.benefit_grants", "导出普惠名单（脱敏）", "Exported benefit grants (masked)";
        /// The insurer's list was exported with full names, ID numbers and mobiles.
        ExportBenefitInsurer = "export.benefit_insurer", "导出投保名单（完整信息）", "Exported the insurer list (full identifiers)";
        /// An admin set a membership target for a union, occupation and year.
        StatsTarget = "stats.target", "设定会员发展目标", "Membership target set";
        /// An admin issued a screen token for a hall's display (数据大屏).
        StatsScreenIssue = "stats.screen_issue", "签发大屏令牌", "Screen token issued";
        /// An admin revoked a screen token.
        StatsScreenRevoke = "stats.screen_revoke", "停用大屏令牌", "Screen token revoked";
        // Outreach: real-name rosters.
        /// A real-name roster was imported from a file.
        RosterImport = "roster.import", "导入实名制花名册", "Roster imported";
        /// The roster's non-members were exported for outreach (full mobiles).
        RosterExport = "export.roster_non_members", "导出花名册未入会人员", "Exported roster non-members";
        // Outreach: campaigns.
        /// A campaign (targeted SMS invitations) was made.
        CampaignCreate = "campaign.create", "创建短信邀请活动", "Campaign created";
        /// A campaign's targets were queued for sending.
        CampaignSend = "campaign.send", "发送短信邀请活动", "Campaign sent";
        /// A federation's SMS signature was set or removed in the console.
        CampaignSignature = "campaign.signature", "设置短信签名", "SMS signature set";
        // Decision SMS and union contacts (issue 13).
        /// An admin changed a union's contact details (address, phone, contact person).
        OrgContact = "org.contact", "修改工会联系方式", "Union contact details changed";
        // Accounts in the console.
        /// An admin created an officer account.
        AccountCreate = "account.create", "新建账户", "Account created";
        /// An admin changed an account's role.
        AccountRole = "account.role", "修改账户角色", "Account role changed";
        /// An admin granted or withdrew `pii.reveal`.
        AccountReveal = "account.reveal", "修改查看完整信息权限", "Reveal permission changed";
        /// An admin disabled an account.
        AccountDisable = "account.disable", "停用账户", "Account disabled";
        /// An admin re-enabled an account.
        AccountEnable = "account.enable", "启用账户", "Account re-enabled";
        /// An admin reset an account's password (a one-time password).
        AccountResetPassword = "account.reset_password", "重置账户密码", "Account password reset";
        /// The daily digest of waiting reviews was turned on or off for an account.
        AccountDigest = "account.digest", "修改待审核短信提醒", "Review digest changed";
        /// An officer saw a member's full name.
        RevealName = "reveal.name", "查看完整姓名", "Revealed a name";
        /// An officer exported members with full names, ID numbers and mobiles.
        ExportMembersFull = "export.members_full", "导出会员（完整信息）", "Exported members (full identifiers)";
    }
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labelled::UnknownCode;

    #[test]
    fn actor_kinds_keep_the_stored_codes() {
        let codes: Vec<_> = ActorKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(codes, ["officer", "platform", "system"], "audit_log_actor_kind_check");
        for kind in ActorKind::ALL {
            assert_eq!(kind.code().parse(), Ok(*kind));
        }
        assert_eq!("member".parse::<ActorKind>(), Err(UnknownCode));
    }

    #[test]
    fn actions_keep_todays_codes_and_labels() {
        let table: Vec<_> = AuditAction::ALL.iter().map(|a| (a.code(), a.label_zh(), a.label_en())).collect();
        assert_eq!(
            table,
            [
                ("reveal.id_number", "查看完整身份证号", "Revealed an ID number"),
                ("reveal.mobile", "查看完整手机号", "Revealed a mobile"),
                ("export.members_csv", "导出会员（CSV）", "Exported members (CSV)"),
                ("export.members_xlsx", "导出会员（XLSX）", "Exported members (XLSX)"),
                ("membership.verify", "平台核验会籍", "Membership verified by a platform"),
                ("org.rename", "工会更名", "Union renamed"),
                ("org.policy", "修改审核规则", "Review policy changed"),
                ("org.create", "新建工会", "Union created"),
                ("keys.rotate", "轮换加密密钥", "Encryption keys rotated"),
                ("purge", "清除过期个人信息", "Expired personal data purged"),
                ("consent.publish", "发布新版个人信息处理规则", "New consent text published"),
                ("innovation.create", "新增创新登记", "Innovation record added"),
                ("innovation.update", "修改创新登记", "Innovation record changed"),
                ("innovation.delete", "删除创新登记", "Innovation record deleted"),
                ("innovation.import", "导入创新登记", "Innovation registry imported"),
                ("evaluation.call_open", "发起创新成果评选", "Innovation call opened"),
                ("evaluation.judge_appoint", "聘任评委", "Judge appointed"),
                ("evaluation.entry_submit", "申报创新成果", "Entry submitted"),
                ("evaluation.attach", "上传申报附件", "Attachment uploaded"),
                ("evaluation.score", "评委打分", "Entry scored"),
                ("evaluation.recuse", "评委回避", "Judge recused"),
                ("evaluation.call_close", "评选结束并公布", "Call closed and published"),
                ("contest.questions_import", "导入竞赛题库", "Contest questions imported"),
                ("contest.create", "创建知识竞赛", "Contest created"),
                ("export.contest_xlsx", "导出竞赛成绩（XLSX）", "Exported contest results (XLSX)"),
                ("application.approve", "批准入会申请", "Application approved"),
                ("application.reject", "拒绝入会申请", "Application rejected"),
                ("pool.distribute", "周转池分流", "Pool member distributed"),
                ("member.lifecycle", "变更会籍状态", "Membership status changed"),
                ("transfer.ask", "发起接转", "Transfer requested"),
                ("transfer.answer", "答复接转", "Transfer answered"),
                ("transfer.withdraw", "撤回接转", "Transfer withdrawn"),
                ("station.create", "新增服务站点", "Station added"),
                ("station.update", "修改服务站点", "Station changed"),
                ("station.delete", "删除服务站点", "Station deleted"),
                ("station.import", "导入服务站点", "Stations imported"),
                ("case.accept", "受理维权案件", "Legal-aid case accepted"),
                ("case.assign", "指派维权案件", "Legal-aid case assigned"),
                ("case.step", "记录案件办理步骤", "Legal-aid case step recorded"),
                ("case.close", "办结维权案件", "Legal-aid case closed"),
                ("benefit.create", "新建普惠项目", "Benefit programme created"),
                ("benefit.grant", "发放普惠项目", "Benefit granted"),
                ("benefit.grant_update", "更新普惠发放状态", "Benefit grant updated"),
                ("benefit.revoke", "撤销普惠发放", "Benefit revoked"),
                ("benefit.enrol_import", "导入保单号", "Policy numbers imported"),
                ("benefit.edit", "修改普惠项目", "Benefit programme changed"),
                ("benefit.close", "结束普惠项目", "Benefit programme closed"),
                ("export.benefit_grants", "导出普惠名单（脱敏）", "Exported benefit grants (masked)"),
                (
                    "export.benefit_insurer",
                    "导出投保名单（完整信息）",
                    "Exported the insurer list (full identifiers)"
                ),
                ("stats.target", "设定会员发展目标", "Membership target set"),
                ("stats.screen_issue", "签发大屏令牌", "Screen token issued"),
                ("stats.screen_revoke", "停用大屏令牌", "Screen token revoked"),
                ("roster.import", "导入实名制花名册", "Roster imported"),
                ("export.roster_non_members", "导出花名册未入会人员", "Exported roster non-members"),
                ("campaign.create", "创建短信邀请活动", "Campaign created"),
                ("campaign.send", "发送短信邀请活动", "Campaign sent"),
                ("campaign.signature", "设置短信签名", "SMS signature set"),
                ("org.contact", "修改工会联系方式", "Union contact details changed"),
                // Accounts in the console.
                ("account.create", "新建账户", "Account created"),
                ("account.role", "修改账户角色", "Account role changed"),
                ("account.reveal", "修改查看完整信息权限", "Reveal permission changed"),
                ("account.disable", "停用账户", "Account disabled"),
                ("account.enable", "启用账户", "Account re-enabled"),
                ("account.reset_password", "重置账户密码", "Account password reset"),
                ("account.digest", "修改待审核短信提醒", "Review digest changed"),
                ("reveal.name", "查看完整姓名", "Revealed a name"),
                ("export.members_full", "导出会员（完整信息）", "Exported members (full identifiers)"),
            ]
        );
        for action in AuditAction::ALL {
            assert_eq!(action.code().parse(), Ok(*action));
        }
        assert_eq!("reveal".parse::<AuditAction>(), Err(UnknownCode));
    }
}
