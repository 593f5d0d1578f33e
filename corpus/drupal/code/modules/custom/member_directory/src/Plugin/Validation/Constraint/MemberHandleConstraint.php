<?php

declare(strict_types=1);

namespace Drupal\member_directory\Plugin\Validation\Constraint;

use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\Core\Validation\Attribute\Constraint;
use Symfony\Component\Validator\Constraint as SymfonyConstraint;

/**
 * Requires a member handle to be well formed and not used by anyone else.
 *
 * Handles are the short "@name" members are mentioned by in the directory.
 */
#[Constraint(
  id: 'MemberHandle',
  label: new TranslatableMarkup('Member handle', [], ['context' => 'Validation']),
)]
class MemberHandleConstraint extends SymfonyConstraint {

  /**
   * The message shown when the handle has characters that are not allowed.
   */
  public string $invalidMessage = 'The handle %handle may only contain lowercase letters, digits, dots and underscores, and must be 3 to 30 characters long.';

  /**
   * The message shown when another member already uses the handle.
   */
  public string $takenMessage = 'The handle %handle is already used by another member.';

}
