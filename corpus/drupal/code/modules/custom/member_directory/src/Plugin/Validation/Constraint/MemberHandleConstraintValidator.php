<?php

declare(strict_types=1);

namespace Drupal\member_directory\Plugin\Validation\Constraint;

use Drupal\Core\DependencyInjection\ContainerInjectionInterface;
use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\Core\Field\FieldItemListInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;
use Symfony\Component\Validator\Constraint;
use Symfony\Component\Validator\ConstraintValidator;

/**
 * Checks the format and uniqueness of member handles.
 */
class MemberHandleConstraintValidator extends ConstraintValidator implements ContainerInjectionInterface {

  public function __construct(
    protected readonly EntityTypeManagerInterface $entityTypeManager,
  ) {}

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static($container->get('entity_type.manager'));
  }

  /**
   * {@inheritdoc}
   */
  public function validate(mixed $value, Constraint $constraint): void {
    if (!$value instanceof FieldItemListInterface || $value->isEmpty()) {
      return;
    }
    assert($constraint instanceof MemberHandleConstraint);
    $handle = ltrim((string) $value->value, '@');

    if (!preg_match('/^[a-z0-9._]{3,30}$/', $handle)) {
      $this->context->addViolation($constraint->invalidMessage, ['%handle' => $handle]);
      return;
    }

    $query = $this->entityTypeManager->getStorage('user')->getQuery()
      ->accessCheck(FALSE)
      ->condition('field_handle', $handle)
      ->range(0, 1);
    $owner = $value->getEntity();
    if (!$owner->isNew()) {
      $query->condition('uid', $owner->id(), '<>');
    }
    if ($query->count()->execute() > 0) {
      $this->context->addViolation($constraint->takenMessage, ['%handle' => $handle]);
    }
  }

}
