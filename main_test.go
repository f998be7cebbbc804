package main

import (
	"os"
	"testing"
)

func TestQuietUnlessLoggingTurnsSDKLogsOffWhenNobodyReadsThem(t *testing.T) {
	for _, name := range logEnv {
		t.Setenv(name, "")
		if err := os.Unsetenv(name); err != nil {
			t.Fatal(err)
		}
	}
	quietUnlessLogging()
	for _, name := range logEnv[1:] {
		if got := os.Getenv(name); got != "off" {
			t.Errorf("%s = %q, want off", name, got)
		}
	}
	if got := os.Getenv("TF_LOG"); got != "" {
		t.Errorf("TF_LOG = %q, want it left alone", got)
	}
}

func TestQuietUnlessLoggingKeepsLogsAnyVariableAsksFor(t *testing.T) {
	for _, asked := range logEnv {
		t.Run(asked, func(t *testing.T) {
			for _, name := range logEnv {
				t.Setenv(name, "")
				if err := os.Unsetenv(name); err != nil {
					t.Fatal(err)
				}
			}
			t.Setenv(asked, "DEBUG")
			quietUnlessLogging()
			for _, name := range logEnv {
				if name != asked && os.Getenv(name) != "" {
					t.Errorf("with %s set, %s = %q, want unset", asked, name, os.Getenv(name))
				}
			}
		})
	}
}
