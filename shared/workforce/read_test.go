package workforce_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ddat-workforce/returns/shared/workforce"
)

// List and View decide who may read what: a submitter its own organisation's returns,
// leaders and admins every organisation's.
func TestListAndViewAreConfinedToTheCallersOrganisation(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, julyDay)
	e.submit(t, hmrc, returnJSON(t), "")
	e.submit(t, hmrc, returnJSON(t, "headcount", "70100"), "")
	leader := workforce.Principal{Subject: "u-leader", Roles: []string{"leader"}}

	for name, tc := range map[string]struct {
		p     workforce.Principal
		org   string
		count int
		code  string
	}{
		"submitter, own by default": {hmrc, "", 1, ""},
		"submitter, own by name":    {hmrc, "hmrc", 1, ""},
		"submitter, another":        {leeds, "HMRC", 0, workforce.EForbidden},
		"leader, every":             {leader, "", 1, ""},
		"admin, one":                {admin, "HMRC", 1, ""},
		"no roles":                  {workforce.Principal{Org: "HMRC"}, "HMRC", 0, workforce.EForbidden},
	} {
		vs, err := e.svc.List(ctx, tc.p, tc.org, nil)
		if workforce.ErrorCode(err) != tc.code && !(tc.code == "" && err == nil) || len(vs) != tc.count {
			t.Errorf("List %s: %d versions, %v", name, len(vs), err)
		}
	}
	if vs, err := e.svc.List(ctx, admin, "", &q1); err != nil || len(vs) != 1 || vs[0].Number != 2 {
		t.Errorf("List by quarter: %+v %v", vs, err)
	}

	if v, err := e.svc.View(ctx, hmrc, "HMRC", q1, 1); err != nil || v.Version.Number != 1 || v.Current != 2 || len(v.History) != 2 {
		t.Errorf("View version 1: %+v %v", v, err)
	}
	if v, err := e.svc.View(ctx, leader, "HMRC", q1, 0); err != nil || v.Version.Number != 2 {
		t.Errorf("View current: %+v %v", v, err)
	}
	// Refused before anything is read: a return that does not exist is refused the same.
	for _, org := range []string{"HMRC", "NOSUCH"} {
		if _, err := e.svc.View(ctx, leeds, org, q1, 0); workforce.ErrorCode(err) != workforce.EForbidden {
			t.Errorf("View %s as LEEDS: %v", org, err)
		}
	}
	if _, err := e.svc.View(ctx, hmrc, "HMRC", q1, 3); workforce.ErrorCode(err) != workforce.ENotFound {
		t.Errorf("View version 3: %v", err)
	}
	if _, err := e.svc.View(ctx, hmrc, "HMRC", q1.Prev(), 0); workforce.ErrorCode(err) != workforce.ENotFound {
		t.Errorf("View a quarter without a return: %v", err)
	}
}

// PutOrganisation names every problem and changes nothing then; it says whether the code
// was new.
func TestPutOrganisation(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, julyDay)
	o := workforce.Organisation{Name: "Department for Testing", Parent: "DFT2", Kind: workforce.CivilService, BaselineHeadcount: 10}
	stored, created, err := e.svc.PutOrganisation(ctx, "dft2", o)
	if err != nil || !created || stored.Code != "DFT2" {
		t.Fatalf("add: %+v %v %v", stored, created, err)
	}
	o.Name = "Department for Testing and Trying"
	if _, created, err := e.svc.PutOrganisation(ctx, "DFT2", o); err != nil || created {
		t.Errorf("replace: %v %v", created, err)
	}
	o.Code, o.Name = "OTHER", ""
	_, _, err = e.svc.PutOrganisation(ctx, "DFT2", o)
	var we *workforce.Error
	if !errors.As(err, &we) || we.Code != workforce.EInvalid || len(we.Problems) < 2 || we.Problems[0].Code != "code_mismatch" {
		t.Errorf("mismatch and no name: %v", err)
	}
	if got, _ := e.store.Organisation(ctx, "DFT2"); got == nil || got.Name != "Department for Testing and Trying" {
		t.Errorf("register after a refused change: %+v", got)
	}
}
