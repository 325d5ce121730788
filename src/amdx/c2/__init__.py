"""Command and control: engagement kinematics, kill probability, weapon-target assignment."""
