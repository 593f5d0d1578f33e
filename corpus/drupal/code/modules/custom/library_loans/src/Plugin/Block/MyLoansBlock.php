<?php

declare(strict_types=1);

namespace Drupal\library_loans\Plugin\Block;

use Drupal\Core\Access\AccessResult;
use Drupal\Core\Access\AccessResultInterface;
use Drupal\Core\Block\Attribute\Block;
use Drupal\Core\Block\BlockBase;
use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\Core\Plugin\ContainerFactoryPluginInterface;
use Drupal\Core\Session\AccountInterface;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\library_loans\FineCalculator;
use Drupal\library_loans\LoanManagerInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * The signed-in borrower's current loans with due dates and fines.
 */
#[Block(
  id: 'library_loans_my_loans',
  admin_label: new TranslatableMarkup('My loans'),
  category: new TranslatableMarkup('Library'),
)]
class MyLoansBlock extends BlockBase implements ContainerFactoryPluginInterface {

  public function __construct(
    array $configuration,
    $plugin_id,
    $plugin_definition,
    protected readonly LoanManagerInterface $loans,
    protected readonly FineCalculator $fines,
    protected readonly EntityTypeManagerInterface $entityTypeManager,
    protected readonly AccountInterface $account,
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
      $container->get('library_loans.fine_calculator'),
      $container->get('entity_type.manager'),
      $container->get('current_user'),
    );
  }

  /**
   * {@inheritdoc}
   */
  protected function blockAccess(AccountInterface $account): AccessResultInterface {
    return AccessResult::allowedIfHasPermission($account, 'borrow books');
  }

  /**
   * {@inheritdoc}
   */
  public function build(): array {
    $loans = $this->loans->openLoansForBorrower((int) $this->account->id());
    $books = $this->entityTypeManager->getStorage('node')
      ->loadMultiple(array_map(static fn ($loan) => $loan->nid, $loans));

    $items = [];
    foreach ($loans as $loan) {
      if (isset($books[$loan->nid])) {
        $items[] = [
          'title' => $books[$loan->nid]->label(),
          'url' => $books[$loan->nid]->toUrl()->toString(),
          'due' => $loan->due,
          'fine' => $this->fines->fineFor($loan) > 0 ? $this->fines->format($this->fines->fineFor($loan)) : '',
        ];
      }
    }
    return [
      '#type' => 'component',
      '#component' => 'library_loans:book-shelf',
      '#props' => [
        'heading' => (string) $this->t('On loan to you'),
        'books' => $items,
        'empty_text' => (string) $this->t('You have no books on loan.'),
      ],
      '#cache' => [
        'contexts' => ['user'],
        'tags' => ['library_loans:user:' . $this->account->id()],
        'max-age' => 86400,
      ],
    ];
  }

}
