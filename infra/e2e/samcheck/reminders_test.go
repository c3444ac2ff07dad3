package samcheck

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ddat-workforce/returns/infra/kit/reporoot"
	"github.com/ddat-workforce/returns/shared/dynamo"
	"github.com/ddat-workforce/returns/shared/httpapi"
)

func remindersFunction(t *testing.T, tmpl map[string]any) function {
	t.Helper()
	for _, f := range functions(t, tmpl) {
		if f.name == httpapi.FunctionReminders {
			return f
		}
	}
	t.Fatalf("no %s function in template.yaml", httpapi.FunctionReminders)
	return function{}
}

// TestRemindersFunctionLeastPrivilege: the reminders function reads the register and the
// by-period index, writes only reminder records (a dynamodb:LeadingKeys condition pins
// every write to REMIND#), reads only the Notify key's secret, and sends only to its own
// dead-letter queue.
func TestRemindersFunctionLeastPrivilege(t *testing.T) {
	tmpl := loadTemplate(t)
	f := remindersFunction(t, tmpl)
	allowed := []string{"dynamodb:Query", "dynamodb:PutItem", "dynamodb:DeleteItem", "secretsmanager:GetSecretValue", "sqs:SendMessage"}
	for _, a := range policyActions(t, f) {
		if !slices.Contains(allowed, a) {
			t.Errorf("%s may %s", f.logicalID, a)
		}
	}
	writes, registerRead := 0, false
	for _, p := range f.props["Policies"].([]any) {
		for _, st := range obj(p)["Statement"].([]any) {
			s := obj(st)
			actions := strings1(s["Action"])
			res := strings1(s["Resource"])
			leading := strings1(obj(obj(s["Condition"])["ForAllValues:StringLike"])["dynamodb:LeadingKeys"])
			if eq := strings1(obj(obj(s["Condition"])["ForAllValues:StringEquals"])["dynamodb:LeadingKeys"]); eq != nil {
				leading = eq
			}
			switch {
			case slices.Contains(actions, "dynamodb:PutItem") || slices.Contains(actions, "dynamodb:DeleteItem"):
				writes++
				if !slices.Equal(leading, []string{dynamo.RemindPrefix + "*"}) {
					t.Errorf("%s writes the table with dynamodb:LeadingKeys %v, want only %s*", f.logicalID, leading, dynamo.RemindPrefix)
				}
			case slices.Contains(actions, "dynamodb:Query") && slices.Contains(res, `{"Fn::GetAtt":["ReturnsTable","Arn"]}`):
				registerRead = true
				if !slices.Equal(leading, []string{"REGISTER"}) {
					t.Errorf("%s queries the table with dynamodb:LeadingKeys %v, want only REGISTER", f.logicalID, leading)
				}
			case slices.Contains(actions, "dynamodb:Query"):
				if !slices.Equal(res, []string{`{"Fn::Sub":"${ReturnsTable.Arn}/index/gsi1"}`}) {
					t.Errorf("%s queries %v; want only the by-period index gsi1", f.logicalID, res)
				}
			case slices.Contains(actions, "secretsmanager:GetSecretValue"):
				if !slices.Equal(res, []string{`{"Ref":"NotifyApiKeySecretArn"}`}) {
					t.Errorf("%s reads secrets %v, want only !Ref NotifyApiKeySecretArn", f.logicalID, res)
				}
			case slices.Contains(actions, "sqs:SendMessage"):
				if !slices.Equal(res, []string{`{"Fn::GetAtt":["RemindersDeadLetterQueue","Arn"]}`}) {
					t.Errorf("%s sends to %v, want only its dead-letter queue", f.logicalID, res)
				}
			}
		}
	}
	if writes == 0 || !registerRead {
		t.Errorf("%s: %d write statements, register read %v", f.logicalID, writes, registerRead)
	}
	if p := obj(obj(tmpl["Parameters"])["NotifyApiKeySecretArn"]); p["NoEcho"] != true {
		t.Error("NotifyApiKeySecretArn is not NoEcho")
	}
}

// TestRemindersSchedule: a daily EventBridge Scheduler schedule in UK time that passes the
// time it fired, with retries and a dead-letter queue that has a depth alarm; failed runs
// are retried by Lambda and then kept on the same queue.
func TestRemindersSchedule(t *testing.T) {
	tmpl := loadTemplate(t)
	f := remindersFunction(t, tmpl)
	var schedules int
	for name, e := range obj(f.props["Events"]) {
		ev := obj(e)
		if ev["Type"] == "Schedule" {
			t.Errorf("%s.%s: an EventBridge rule runs in UTC; use ScheduleV2 with ScheduleExpressionTimezone", f.logicalID, name)
		}
		if ev["Type"] != "ScheduleV2" {
			continue
		}
		schedules++
		p := obj(ev["Properties"])
		if p["ScheduleExpressionTimezone"] != "Europe/London" {
			t.Errorf("%s.%s: time zone %v, want Europe/London", f.logicalID, name, p["ScheduleExpressionTimezone"])
		}
		if expr, _ := p["ScheduleExpression"].(string); !regexp.MustCompile(`^cron\(\d+ \d+ \* \* \? \*\)$`).MatchString(expr) {
			t.Errorf("%s.%s: %q does not run once every day", f.logicalID, name, expr)
		}
		if in, _ := p["Input"].(string); !strings.Contains(in, `"scheduled_time": "<aws.scheduler.scheduled-time>"`) {
			t.Errorf("%s.%s: Input %q does not pass the scheduled time", f.logicalID, name, in)
		}
		if obj(p["RetryPolicy"])["MaximumRetryAttempts"] == nil {
			t.Errorf("%s.%s: no retry policy", f.logicalID, name)
		}
		if ga, _ := obj(obj(p["DeadLetterConfig"])["Arn"])["Fn::GetAtt"].([]any); len(ga) == 0 || ga[0] != "RemindersDeadLetterQueue" {
			t.Errorf("%s.%s: dead-letter queue %v", f.logicalID, name, p["DeadLetterConfig"])
		}
	}
	if schedules != 1 {
		t.Errorf("%s has %d daily schedules, want 1", f.logicalID, schedules)
	}
	onFailure := obj(obj(obj(f.props["EventInvokeConfig"])["DestinationConfig"])["OnFailure"])
	if ga, _ := obj(onFailure["Destination"])["Fn::GetAtt"].([]any); len(ga) == 0 || ga[0] != "RemindersDeadLetterQueue" {
		t.Errorf("%s: failed runs go to %v, want RemindersDeadLetterQueue", f.logicalID, onFailure)
	}
	found := false
	for _, r := range obj(tmpl["Resources"]) {
		p := obj(obj(r)["Properties"])
		dims, _ := p["Dimensions"].([]any)
		if obj(r)["Type"] == "AWS::CloudWatch::Alarm" && p["MetricName"] == "ApproximateNumberOfMessagesVisible" && len(dims) == 1 {
			if ga, _ := obj(obj(dims[0])["Value"])["Fn::GetAtt"].([]any); len(ga) > 0 && ga[0] == "RemindersDeadLetterQueue" {
				found = true
			}
		}
	}
	if !found {
		t.Error("the reminders dead-letter queue has no depth alarm")
	}
}

// TestRemindersEnvironment: every variable the sender's configuration reads is set on the
// reminders function, or is meant only for the local stack or for running it elsewhere.
func TestRemindersEnvironment(t *testing.T) {
	f := remindersFunction(t, loadTemplate(t))
	vars := obj(obj(f.props["Environment"])["Variables"])
	localOnly := map[string]bool{"SMTP_ADDR": true, "REMINDERS_FROM": true, "API_URL": true, "NOTIFY_API_KEY": true, "NOTIFY_BASE_URL": true}
	src, err := os.ReadFile(reporoot.Path("shared", "app", "reminders.go"))
	if err != nil {
		t.Fatal(err)
	}
	read := regexp.MustCompile(`Getenv\("([A-Z_]+)"`).FindAllStringSubmatch(string(src), -1)
	// The template ids are read as NOTIFY_TEMPLATE_ + the stage's name.
	want := []string{"NOTIFY_TEMPLATE_DUE_SOON", "NOTIFY_TEMPLATE_DUE_TODAY", "NOTIFY_TEMPLATE_OVERDUE"}
	for _, m := range read {
		if !localOnly[m[1]] && !strings.HasSuffix(m[1], "_") {
			want = append(want, m[1])
		}
	}
	if len(want) < 5 {
		t.Fatalf("found only %v read in shared/app/reminders.go", want)
	}
	for _, k := range want {
		if _, ok := vars[k]; !ok {
			t.Errorf("shared/app/reminders.go reads %s, which RemindersFunction does not set", k)
		}
	}
	for k := range localOnly {
		if _, ok := vars[k]; ok {
			t.Errorf("RemindersFunction sets %s, which is for the local stack only", k)
		}
	}
}
