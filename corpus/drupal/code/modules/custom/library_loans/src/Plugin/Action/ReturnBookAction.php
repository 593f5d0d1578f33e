<?php

declare(strict_types=1);

namespace Drupal\library_loans\Plugin\Action;

use Drupal\Core\Access\AccessResult;
use Drupal\Core\Access\AccessResultInterface;
use Drupal\Core\Action\ActionBase;
use Drupal\Core\Action\Attribute\Action;
use Drupal\Core\Plugin\ContainerFactoryPluginInterface;
use Drupal\Core\Session\AccountInterface;
use Drupal\Core\Session\AccountProxyInterface;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\library_loans\LoanManagerInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Checks in the selected books from the content overview in one go.
 *
 * Handy after a stock-take, when a pile of returned books was never scanned.
 */
#[Action(
  id: 'library_loans_return_book',
  label: new TranslatableMarkup('Check in book'),
  type: 'node',
)]
class ReturnBookAction extends ActionBase implements ContainerFactoryPluginInterface {

  public function __construct(
    array $configuration,
    $plugin_id,
    $plugin_definition,
    protected readonly LoanManagerInterface $loans,
    protected readonly AccountProxyInterface $currentUser,
  ) {
    parent::__construct($configuration, $plugin_id, $plugin_definition);
  }

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container, array $configuration, $plugin_id, $plugin_definition): static {
    return new static(
      $configuration,
      $plugin_id,
      $plugin_definition,
      $container->get('library_loans.loan_manager'),
      $container->get('current_user'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function execute($entity = NULL): void {
    if ($entity && $loan = $this->loans->openLoanForBook((int) $entity->id())) {
      $this->loans->checkIn($loan->id);
    }
  }

  /**
   * {@inheritdoc}
   */
  public function access($object, ?AccountInterface $account = NULL, $return_as_object = FALSE): bool|AccessResultInterface {
    $account ??= $this->currentUser;
    $result = AccessResult::allowedIfHasPermission($account, 'manage library loans')
      ->andIf($object->access('view', $account, TRUE));
    return $return_as_object ? $result : $result->isAllowed();
  }

}
